"use client";
// The "Connect" button of a catalogue card and the permissions form it opens. The provider's sign-in
// opens in a popup: the connect route gets `popup=1` and a fresh nonce, and the callback's last page
// tells this window the outcome with postMessage to the portal's own origin, echoing the nonce; a
// message from any other origin, window or nonce is ignored. When the browser blocks the popup the
// form goes the whole way in this window instead, and without JavaScript it is a plain GET form
// (repeatable `scope`) the browser itself submits.
import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import type { ProviderSummary } from "@/lib/providers/client-schemas";

/** Mirrors LARGE_GRANT_THRESHOLD in lib/providers/authorize-url.ts (server-only, so not importable here). */
const LARGE_GRANT = 10;

export function ConnectProviderForm({ provider }: { provider: Pick<ProviderSummary, "key" | "name" | "scopes"> }) {
  const [open, setOpen] = useState(false);
  const [ticked, setTicked] = useState<Set<string>>(() => new Set(provider.scopes.filter((s) => s.default).map((s) => s.name)));
  const [confirmed, setConfirmed] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const stopListening = useRef<(() => void) | null>(null);
  const formId = useId();
  const action = `/api/oauth/connect/${encodeURIComponent(provider.key)}`;
  const large = ticked.size > LARGE_GRANT;
  // No scope at all would make the connect route fall back to the defaults, which is not what was asked.
  const nothing = provider.scopes.length > 0 && ticked.size === 0;

  useEffect(() => () => stopListening.current?.(), []);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const query = new URLSearchParams([...ticked].map((scope) => ["scope", scope]));
    const full = `${action}?${query}`;
    const nonce = randomNonce();
    query.set("popup", "1");
    query.set("nonce", nonce);
    const popup = window.open(`${action}?${query}`, "vault-connect", "popup,width=520,height=720");
    if (!popup) return window.location.assign(full);
    stopListening.current?.();
    setWaiting(true);
    const onMessage = (e: MessageEvent) => {
      const data = e.data as { type?: string; nonce?: string; status?: string; connectionId?: string; code?: string } | null;
      if (e.origin !== window.location.origin || e.source !== popup || data?.type !== "vault:connect" || data.nonce !== nonce) return;
      done();
      if (data.status === "connected" && data.connectionId && /^[0-9a-f-]{36}$/.test(data.connectionId)) {
        window.location.assign(`/connections/${data.connectionId}?connected=1`);
      } else {
        const code = /^[a-z_]{1,40}$/.test(data.code ?? "") ? data.code! : "provider_error";
        window.location.assign(`/connections?connect_error=${code}&provider=${encodeURIComponent(provider.key)}`);
      }
    };
    // The person may close the popup without finishing: the form is usable again.
    const closed = window.setInterval(() => popup.closed && done(), 500);
    const done = () => {
      window.removeEventListener("message", onMessage);
      window.clearInterval(closed);
      stopListening.current = null;
      setWaiting(false);
    };
    window.addEventListener("message", onMessage);
    stopListening.current = done;
  }

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
        <form id={formId} method="get" action={action} onSubmit={submit} className="connect-form" aria-label={`Connect ${provider.name}`}>
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
          <p className="note">You will sign in at {provider.name} and approve there (in a new window); the vault then keeps the tokens encrypted.</p>
          {waiting && (
            <p className="note" role="status">
              Waiting for {provider.name}: finish in the window that opened, or close it to cancel.
            </p>
          )}
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

function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
