"use client";
// The "Connect" button of a catalogue card and the permissions form it opens. The form is a plain
// GET form (repeatable `scope`), so the browser itself navigates to the connect route, which
// redirects to the provider; JavaScript only adds the open/close and the large-grant confirmation.
import { useId, useState } from "react";

import type { ProviderSummary } from "@/lib/providers/client-schemas";

/** Mirrors LARGE_GRANT_THRESHOLD in lib/providers/authorize-url.ts (server-only, so not importable here). */
const LARGE_GRANT = 10;

export function ConnectProviderForm({ provider }: { provider: Pick<ProviderSummary, "key" | "name" | "scopes"> }) {
  const [open, setOpen] = useState(false);
  const [ticked, setTicked] = useState<Set<string>>(() => new Set(provider.scopes.filter((s) => s.default).map((s) => s.name)));
  const [confirmed, setConfirmed] = useState(false);
  const formId = useId();
  const action = `/api/oauth/connect/${encodeURIComponent(provider.key)}`;
  const large = ticked.size > LARGE_GRANT;
  // No scope at all would make the connect route fall back to the defaults, which is not what was asked.
  const nothing = provider.scopes.length > 0 && ticked.size === 0;

  function toggle(name: string, on: boolean) {
    setTicked((prev) => {
      const next = new Set(prev);
      if (on) next.add(name);
      else next.delete(name);
      return next;
    });
    setConfirmed(false);
  }

  return (
    <>
      <button type="button" className="primary" aria-expanded={open} aria-controls={open ? formId : undefined} onClick={() => setOpen((o) => !o)}>
        Connect<span className="sr-only"> {provider.name}</span>
      </button>
      <noscript>
        {/* Without JavaScript the button cannot open the form: connect with the default permissions. */}
        <a href={action}>Connect {provider.name} with its default permissions</a>
      </noscript>
      {open && (
        <form id={formId} method="get" action={action} className="connect-form" aria-label={`Connect ${provider.name}`}>
          {provider.scopes.length > 0 ? (
            <fieldset>
              <legend>Permissions {provider.name} will give the vault</legend>
              {provider.scopes.map((scope) => (
                <label key={scope.name} className="check">
                  <input
                    type="checkbox"
                    name="scope"
                    value={scope.name}
                    checked={ticked.has(scope.name)}
                    onChange={(e) => toggle(scope.name, e.target.checked)}
                  />
                  <span>
                    {scope.description} <code className="note">{scope.name}</code>
                  </span>
                </label>
              ))}
            </fieldset>
          ) : (
            <p className="note">{provider.name} does not ask for separate permissions.</p>
          )}
          {large && (
            <div className="banner warn" role="alert">
              <p>
                You are about to grant {ticked.size} permissions to the vault for {provider.name}. That is a lot: agents you later allow could act on any of
                them. Untick what you do not need, or confirm below.
              </p>
              <label className="check">
                <input type="checkbox" required checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} />
                <span>I understand and want to grant all {ticked.size} permissions</span>
              </label>
            </div>
          )}
          {nothing && <p className="note">Tick at least one permission to continue.</p>}
          <p className="note">You will sign in at {provider.name} and approve there; the vault then keeps the tokens encrypted.</p>
          <div className="actions">
            <button type="submit" className="primary" disabled={nothing || (large && !confirmed)}>
              Continue to {provider.name}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </>
  );
}
