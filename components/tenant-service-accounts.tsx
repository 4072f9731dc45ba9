"use client";
// The tenant switch on the admin's Agents page: whether a tenant service account may ever stand in for
// a person's connection that stopped working. Saved as soon as it is ticked or cleared; the vault reads
// it on every action and token exchange, so turning it off stops every stand-in at once.
import { useId, useState } from "react";

import { useTenantSettings, useUpdateTenantSettings, type TenantSettingsDto } from "@/lib/tenancy/queries";

export function TenantServiceAccounts({ initial }: { initial: TenantSettingsDto }) {
  const { data: settings = initial, error: loadError } = useTenantSettings(initial);
  const mutation = useUpdateTenantSettings();
  const noteId = useId();
  // While saving, show the value being saved (set in the same event, so the box does not flick back).
  const [saving, setSaving] = useState<boolean | null>(null);
  const checked = saving ?? settings.allowServiceAccounts;

  return (
    <section className="card" aria-labelledby={`${noteId}-title`}>
      <h2 id={`${noteId}-title`}>Service accounts</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={checked}
          disabled={mutation.isPending}
          aria-describedby={noteId}
          onChange={(e) => {
            const on = e.target.checked;
            setSaving(on);
            mutation.mutate({ allowServiceAccounts: on }, { onSettled: () => setSaving(null) });
          }}
        />
        Allow service accounts in {settings.name}
      </label>
      <p className="note" id={noteId}>
        When a person&apos;s own connection stops working (it needs reconnecting or was disconnected), an agent may act with the organisation&apos;s service
        account for that provider instead, but only if its ceiling allows service accounts and the person allowed it in their grant. An administrator chooses
        the service account on one of their own connections&apos; pages. Off means agents only ever use the person&apos;s own connection.
      </p>
      {(loadError || mutation.error) && (
        <p className="error" role="alert">
          {(mutation.error ?? loadError)!.message}
        </p>
      )}
      {mutation.isSuccess && (
        <p className="banner ok" role="status">
          Saved.
        </p>
      )}
    </section>
  );
}
