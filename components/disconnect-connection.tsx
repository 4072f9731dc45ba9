"use client";
// "Disconnect" and its confirmation. Disconnecting cannot be undone and ends every agent's access,
// so the dialog says exactly what will happen, with the current delegation count, before it calls
// DELETE /api/v1/connections/{id}.
import { useRouter } from "next/navigation";
import { useState } from "react";

import { useConnection, useDisconnect, type ConnectionDetail } from "@/lib/connections/queries";
import { ConfirmDialog, ConfirmFooter } from "./confirm-dialog";

export function DisconnectConnection({ connection, providerName }: { connection: ConnectionDetail; providerName: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  // Fresh data when the dialog opens: an agent may have been granted access since the page loaded.
  const { data } = useConnection(connection.id, connection);
  const mutation = useDisconnect();
  const active = (data ?? connection).delegations.filter((d) => !d.revokedAt && Date.parse(d.expiresAt) > Date.now()).length;

  function confirm() {
    mutation.mutate(connection.id, {
      onSuccess: () => {
        router.push("/connections");
        router.refresh();
      },
    });
  }

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
        Disconnect
      </button>
      <ConfirmDialog open={open} onClose={() => setOpen(false)} title={`Disconnect ${connection.label}?`}>
        <p>If you disconnect, the vault will:</p>
        <ul>
          <li>
            revoke the token at {providerName}, where {providerName} allows it;
          </li>
          <li>delete the stored credential, so nothing can use it again;</li>
          <li>
            revoke every agent&apos;s access to this connection ({active} {active === 1 ? "delegation" : "delegations"}).
          </li>
        </ul>
        <p className="note">This cannot be undone: to use {providerName} again you will connect it anew.</p>
        <ConfirmFooter
          error={mutation.error}
          pending={mutation.isPending}
          confirmLabel="Disconnect"
          pendingLabel="Disconnecting…"
          onConfirm={confirm}
          onCancel={() => setOpen(false)}
        />
      </ConfirmDialog>
    </>
  );
}
