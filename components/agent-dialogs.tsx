"use client";
// The two agent actions that deserve a second look: rotating the secret (how long may the old one
// keep working?) and deleting the agent (every grant to it ends). Both are modal <dialog>s, like
// the disconnect confirmation.
import { useEffect, useId, useRef, useState, type ReactNode } from "react";

import { useDeleteAgent, useUpdateAgent, type AgentDto } from "@/lib/agents/queries";
import type { UpdateAgentAnswer } from "@/lib/agents/schemas";

const OVERLAPS = [
  { seconds: 0, label: "Stop it now" },
  { seconds: 3_600, label: "1 hour" },
  { seconds: 86_400, label: "1 day" },
  { seconds: 604_800, label: "7 days" },
] as const;

function Modal({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: ReactNode }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog ref={dialog} aria-labelledby={titleId} className="confirm" onClose={onClose}>
      <h2 id={titleId}>{title}</h2>
      {open && children}
    </dialog>
  );
}

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
      <button type="button" onClick={() => { mutation.reset(); setOpen(true); }}>
        Rotate secret
      </button>
      <Modal open={open} onClose={() => setOpen(false)} title={`Rotate the secret of ${agent.name}?`}>
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
        {mutation.error && (
          <p className="error" role="alert">
            {mutation.error.message}
          </p>
        )}
        <div className="actions">
          <button type="button" className="primary" onClick={rotate} disabled={mutation.isPending}>
            {mutation.isPending ? "Rotating…" : "Rotate now"}
          </button>
          <button type="button" onClick={() => setOpen(false)} disabled={mutation.isPending}>
            Cancel
          </button>
        </div>
      </Modal>
    </>
  );
}

export function DeleteAgentButton({ agent }: { agent: AgentDto }) {
  const [open, setOpen] = useState(false);
  const mutation = useDeleteAgent();
  const grants = agent.activeDelegations;

  return (
    <>
      <button type="button" className="danger" onClick={() => { mutation.reset(); setOpen(true); }}>
        Delete
      </button>
      <Modal open={open} onClose={() => setOpen(false)} title={`Delete ${agent.name}?`}>
        <p>If you delete this agent:</p>
        <ul>
          <li>its client ID, secret and keys stop working at once;</li>
          <li>
            every grant people gave it ends ({grants} active {grants === 1 ? "delegation" : "delegations"});
          </li>
          <li>the audit log keeps its history.</li>
        </ul>
        <p className="note">This cannot be undone. To stop it for a while instead, suspend it.</p>
        {mutation.error && (
          <p className="error" role="alert">
            {mutation.error.message}
          </p>
        )}
        <div className="actions">
          <button type="button" className="danger" onClick={() => mutation.mutate(agent.id, { onSuccess: () => setOpen(false) })} disabled={mutation.isPending}>
            {mutation.isPending ? "Deleting…" : "Delete agent"}
          </button>
          <button type="button" onClick={() => setOpen(false)} disabled={mutation.isPending}>
            Cancel
          </button>
        </div>
      </Modal>
    </>
  );
}
