"use client";
// Removing an MCP client from the organisation deserves a second look: its agent, every grant people
// gave it and every token it holds end at once. A modal <dialog>, like deleting an agent.
import { useState } from "react";

import { useDeleteMcpClient, type McpClientDto } from "@/lib/oauth-clients/queries";

import { ConfirmDialog, ConfirmFooter } from "./confirm-dialog";

export function RemoveMcpClientButton({ client }: { client: McpClientDto }) {
  const [open, setOpen] = useState(false);
  const mutation = useDeleteMcpClient();
  const grants = client.agent?.activeDelegations ?? 0;

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
        Remove
      </button>
      <ConfirmDialog open={open} onClose={() => setOpen(false)} title={`Remove ${client.name}?`}>
        <p>If you remove this client from your organisation:</p>
        <ul>
          <li>its agent is deleted, and every token it holds stops working at once;</li>
          <li>
            every grant people gave it ends ({grants} active {grants === 1 ? "delegation" : "delegations"});
          </li>
          <li>if someone connects it again, it asks for your approval again;</li>
          <li>the audit log keeps its history.</li>
        </ul>
        <p className="note">To keep it out for good, block it instead.</p>
        <ConfirmFooter
          error={mutation.error}
          pending={mutation.isPending}
          confirmLabel="Remove client"
          pendingLabel="Removing…"
          onConfirm={() => mutation.mutate(client.clientId, { onSuccess: () => setOpen(false) })}
          onCancel={() => setOpen(false)}
        />
      </ConfirmDialog>
    </>
  );
}
