"use client";
// On an administrator's own connection page: make this connection the tenant's service account for
// its provider, or stop. At most one per provider, so ticking it here replaces any other; the server
// does both in one transaction and audits it. Saved as soon as it changes.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";

import { useConnection, useSetServiceAccount, type ConnectionDetail } from "@/lib/connections/queries";

type Props = { connection: ConnectionDetail; providerName: string; tenantName: string; tenantAllowsServiceAccounts: boolean };

const USABLE = new Set(["active", "refreshing", "degraded"]);

export function ServiceAccountToggle({ connection: initial, providerName, tenantName, tenantAllowsServiceAccounts }: Props) {
  const router = useRouter();
  const { data: connection = initial } = useConnection(initial.id, initial);
  const mutation = useSetServiceAccount();
  const noteId = useId();
  // While saving, show the value being saved (set in the same event, so the box does not flick back).
  const [saving, setSaving] = useState<boolean | null>(null);
  const checked = saving ?? connection.serviceAccount;
  // A broken connection may be unmarked, never marked.
  const markable = USABLE.has(connection.status) || connection.serviceAccount;

  return (
    <section className="card" aria-labelledby={`${noteId}-title`}>
      <h2 id={`${noteId}-title`}>Service account</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={checked}
          disabled={mutation.isPending || !markable}
          aria-describedby={noteId}
          onChange={(e) => {
            const on = e.target.checked;
            setSaving(on);
            // The page's own badge is server-rendered: refresh it once the change is saved.
            mutation.mutate({ id: connection.id, serviceAccount: on }, { onSuccess: () => router.refresh(), onSettled: () => setSaving(null) });
          }}
        />
        Use as the service account for {providerName}
      </label>
      <div className="note" id={noteId}>
        <p>
          When someone&apos;s own {providerName} connection stops working, an agent may act with this account instead, but only if its ceiling allows service
          accounts and that person allowed it in their grant. The agent then acts with this account&apos;s access, and the audit log and receipts say so.{" "}
          {tenantName} can have one {providerName} service account: choosing this one replaces the current one.
        </p>
        {!tenantAllowsServiceAccounts && (
          <p>
            Service accounts are turned off in {tenantName}, so this has no effect until they are allowed on the <Link href="/agents">Agents page</Link>.
          </p>
        )}
        {!markable && <p>This connection does not work at the moment: reconnect it before choosing it as the service account.</p>}
      </div>
      {mutation.error && (
        <p className="error" role="alert">
          {mutation.error.message}
        </p>
      )}
      {mutation.isSuccess && (
        <p className="banner ok" role="status">
          Saved.
          {mutation.data.unmarked > 0 && ` The previous ${providerName} service account is no longer used.`}
        </p>
      )}
    </section>
  );
}
