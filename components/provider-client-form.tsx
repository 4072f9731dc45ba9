"use client";
// An admin sets the tenant's OAuth client for one catalogue provider. The secret goes to the vault
// once and is never shown again, so the field is cleared as soon as it is saved.
import { useState, type FormEvent } from "react";

import { providerClientBody } from "@/lib/providers/client-schemas";
import { useSaveProviderClient } from "@/lib/providers/queries";

export function ProviderClientForm({ providerKey, providerName, configured }: { providerKey: string; providerName: string; configured: boolean }) {
  const save = useSaveProviderClient();
  const [clientId, setClientId] = useState("");
  const [clientSecret, setClientSecret] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const parsed = providerClientBody.safeParse({ clientId, clientSecret });
    if (!parsed.success) {
      setInvalid("Fill in both the client ID and the client secret that the provider gave you.");
      return;
    }
    setInvalid(null);
    save.mutate(
      { key: providerKey, body: parsed.data },
      {
        onSuccess: () => {
          setClientSecret("");
          setSaved(true);
        },
      },
    );
  }

  const error = invalid ?? save.error?.message ?? null;
  return (
    <form onSubmit={submit} className="stack" aria-label={`Client for ${providerName}`}>
      <label>
        Client ID
        <input name="clientId" autoComplete="off" value={clientId} onChange={(e) => setClientId(e.target.value)} required />
      </label>
      <label>
        Client secret
        <input
          name="clientSecret"
          type="password"
          autoComplete="new-password"
          value={clientSecret}
          onChange={(e) => setClientSecret(e.target.value)}
          required
        />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <p className="banner ok" role="status">
          Saved. The secret is stored encrypted and cannot be shown again.
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : configured ? "Replace client" : "Save client"}
        </button>
      </div>
    </form>
  );
}
