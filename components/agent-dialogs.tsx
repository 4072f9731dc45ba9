"use client";
// The two agent actions that deserve a second look: rotating the secret (how long may the old one
// keep working?) and deleting the agent (every grant to it ends). Both are modal <dialog>s, like
// the disconnect confirmation.
import { useState } from "react";

import { useDeleteAgent, useUpdateAgent, type AgentDto } from "@/lib/agents/queries";
import type { UpdateAgentAnswer } from "@/lib/agents/schemas";
import { ConfirmDialog, ConfirmFooter } from "./confirm-dialog";

const OVERLAPS = [
  { seconds: 0, label: "Stop it now" },
  { seconds: 3_600, label: "1 hour" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 604_800, label: "7 days" },
] as const;

export function RotateSecretButton({ agent, onRotated }: { agent: AgentDto; onRotated: (answer: UpdateAgentAnswer) => void }) {
  const [open, setOpen] = useState(false);
  const [overlap, setOverlap] = useState<number>(3_600);
  const mutation = useUpdateAgent();

  function rotate() {
    mutation.mutate(
      { id: agent.id, body: { rotateSecret: { overlapSeconds: overlap } } },
      {
        onSuccess: (answer) => {
          setOpen(false);
          onRotated(answer);
        },
      },
    );
  }

  return (
    <>
      <button
        type="button"
        onClick={() => {
          mutation.reset();
          setOpen(true);
        }}
      >
        Rotate secret
      </button>
      <ConfirmDialog open={open} onClose={() => setOpen(false)} title={`Rotate the secret of ${agent.name}?`}>
        <p>The vault makes a new client secret and shows it to you once. Give it to the agent, then let the old one expire.</p>
        <div className="stack">
          <label>
            The old secret keeps working for
            <select value={overlap} onChange={(e) => setOverlap(Number(e.target.value))}>
              {OVERLAPS.map((o) => (
                <option key={o.seconds} value={o.seconds}>
                  {o.label}
                </option>
              ))}
            </select>
          </label>
        </div>
        <ConfirmFooter
          tone="primary"
          error={mutation.error}
          pending={mutation.isPending}
          confirmLabel="Rotate now"
          pendingLabel="Rotating…"
          onConfirm={rotate}
          onCancel={() => setOpen(false)}
        />
      </ConfirmDialog>
    </>
  );
}

export function DeleteAgentButton({ agent }: { agent: AgentDto }) {
  const [open, setOpen] = useState(false);
  const mutation = useDeleteAgent();
  const grants = agent.activeDelegations;

  return (
    <>
      <button
        type="button"
        className="danger"
        onClick={() => {
          mutation.reset();
          setOpen(true);
        }}
      >
        Delete
      </button>
      <ConfirmDialog open={open} onClose={() => setOpen(false)} title={`Delete ${agent.name}?`}>
        <p>If you delete this agent:</p>
        <ul>
          <li>its client ID, secret and keys stop working at once;</li>
          <li>
            every grant people gave it ends ({grants} active {grants === 1 ? "delegation" : "delegations"});
          </li>
          <li>the audit log keeps its history.</li>
        </ul>
        <p className="note">This cannot be undone. To stop it for a while instead, suspend it.</p>
        <ConfirmFooter
          error={mutation.error}
          pending={mutation.isPending}
          confirmLabel="Delete agent"
          pendingLabel="Deleting…"
          onConfirm={() => mutation.mutate(agent.id, { onSuccess: () => setOpen(false) })}
          onCancel={() => setOpen(false)}
        />
      </ConfirmDialog>
    </>
  );
}
