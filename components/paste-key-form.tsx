"use client";
// The "Paste key" form of a catalogue card for a provider that takes an API key (and, on a
// connection's page, "Replace key"). Secret fields are password inputs the browser is asked not to
// remember; the value goes once to the portal's own route, which checks it (optionally with one
// harmless call to the provider), seals it and answers with the connection: a fingerprint and,
// where the provider's format allows, the last four characters. The inputs are cleared whatever the
// outcome, and the vault's sentence is shown when it refuses.
import { useRouter } from "next/navigation";
import { useId, useState, type FormEvent } from "react";

import { apiFetch } from "@/lib/api-client";
import type { PasteKeyField } from "@/lib/providers/client-schemas";

type Props = {
  provider: { key: string; name: string };
  fields: readonly PasteKeyField[];
  /** The provider has a harmless call that checks a key before it is stored. */
  canVerify: boolean;
  /** Replace the key of this connection instead of adding one. */
  replace?: string;
};

type Answer = { connection: { id: string }; verified: boolean; reconnected: boolean };

export function PasteKeyForm({ provider, fields, canVerify, replace }: Props) {
  const router = useRouter();
  const formId = useId();
  const [open, setOpen] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [label, setLabel] = useState("");
  const [verify, setVerify] = useState(canVerify);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const action = replace ? "Replace key" : "Paste key";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    const body = { fields: values, verify, ...(label.trim() ? { label: label.trim() } : {}), ...(replace ? { replace } : {}) };
    // The pasted values leave the page's state now: a refusal asks for them again.
    setValues({});
    try {
      const answer = await apiFetch<Answer>(`/api/v1/connections/api-key/${encodeURIComponent(provider.key)}`, { method: "POST", body });
      if (replace) {
        setDone(answer.verified ? `${provider.name} accepted the new key; agents now use it.` : "The new key is stored; agents now use it.");
        setOpen(false);
        router.refresh();
      } else {
        router.push(`/connections/${encodeURIComponent(answer.connection.id)}?connected=1`);
      }
    } catch (e) {
      setError(e instanceof Error ? e.message : "The key could not be stored: try again.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className={replace ? undefined : "primary"}
        aria-expanded={open}
        aria-controls={open ? formId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        {action}
        <span className="sr-only"> for {provider.name}</span>
      </button>
      {done && (
        <p className="note" role="status">
          {done}
        </p>
      )}
      {open && (
        <form id={formId} onSubmit={submit} className="connect-form" aria-label={`${action} for ${provider.name}`} autoComplete="off">
          {fields.map((field) => (
            <label key={field.name} className="field">
              <span>{field.label}</span>
              <input
                name={field.name}
                type={field.secret ? "password" : "text"}
                autoComplete={field.secret ? "new-password" : "off"}
                spellCheck={false}
                required
                placeholder={field.hint}
                value={values[field.name] ?? ""}
                onChange={(e) => setValues((prev) => ({ ...prev, [field.name]: e.target.value }))}
              />
            </label>
          ))}
          <label className="field">
            <span>Name (optional)</span>
            <input name="label" type="text" maxLength={200} value={label} onChange={(e) => setLabel(e.target.value)} placeholder={`My ${provider.name} key`} />
          </label>
          {canVerify && (
            <label className="check">
              <input type="checkbox" checked={verify} onChange={(e) => setVerify(e.target.checked)} />
              <span>Check the key with {provider.name} before storing it</span>
            </label>
          )}
          <p className="note">
            The vault keeps the key encrypted and never shows it again, to you or to any agent: you will see only its fingerprint
            {fields.some((f) => f.secret) ? " and, where the provider allows, its last four characters" : ""}.
          </p>
          {error && (
            <p className="banner error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Storing…" : replace ? "Store the new key" : `Connect ${provider.name}`}
          </button>
        </form>
      )}
    </>
  );
}
