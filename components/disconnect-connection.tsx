"use client";
// "Disconnect" and its confirmation. Disconnecting cannot be undone and ends every agent's access,
// so the dialog says exactly what will happen, with the current delegation count, before it calls
// DELETE /api/v1/connections/{id}.
import { useRouter } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";

import { useConnection, useDisconnect, type ConnectionDetail } from "@/lib/connections/queries";

export function DisconnectConnection({ connection, providerName }: { connection: ConnectionDetail; providerName: string }) {
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const [open, setOpen] = useState(false);
  // Fresh data when the dialog opens: an agent may have been granted access since the page loaded.
  const { data } = useConnection(connection.id, connection);
  const mutation = useDisconnect();
  const active = (data ?? connection).delegations.filter((d) => !d.revokedAt && Date.parse(d.expiresAt) > Date.now()).length;

  useEffect(() => {
    const el = dialog.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);

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
      <button type="button" className="danger" onClick={() => { mutation.reset(); setOpen(true); }}>
        Disconnect
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="confirm" onClose={() => setOpen(false)}>
        <h2 id={titleId}>Disconnect {connection.label}?</h2>
        <p>If you disconnect, the vault will:</p>
        <ul>
          <li>revoke the token at {providerName}, where {providerName} allows it;</li>
          <li>delete the stored credential, so nothing can use it again;</li>
          <li>
            revoke every agent&apos;s access to this connection ({active} {active === 1 ? "delegation" : "delegations"}).
          </li>
        </ul>
        <p className="note">This cannot be undone: to use {providerName} again you will connect it anew.</p>
        {mutation.error && (
          <p className="error" role="alert">
            {mutation.error.message}
          </p>
        )}
        <div className="actions">
          <button type="button" className="danger" onClick={confirm} disabled={mutation.isPending}>
            {mutation.isPending ? "Disconnecting…" : "Disconnect"}
          </button>
          <button type="button" onClick={() => setOpen(false)} disabled={mutation.isPending}>
            Cancel
          </button>
        </div>
      </dialog>
    </>
  );
}
