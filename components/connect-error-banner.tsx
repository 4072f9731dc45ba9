// Why the last connect attempt failed, from the callback's redirect (`?connect_error=...&provider=...`).
// Each sentence says what happened and what to do next (CONVENTIONS.md, 9).
import { connectHref } from "@/components/connection-status";

type Explain = (provider: string) => string;

const SENTENCES: Record<string, Explain> = {
  state_invalid: (p) => `The answer from ${p} did not match a connect request from this portal, so the vault ignored it. Start again from this page.`,
  state_expired: (p) => `Connecting ${p} took too long and the request expired. Start again and finish within a few minutes.`,
  state_reused: (p) => `That answer from ${p} had already been used (a reload or the back button can do this), so the vault refused it. Start again.`,
  session_mismatch: (p) => `Connecting ${p} was started while signed in as someone else, so the vault refused it. Start again from this browser.`,
  issuer_mismatch: (p) =>
    `The answer did not come from ${p} itself, so the vault refused it to protect your account. Try again; if it keeps happening, tell your administrator.`,
  access_denied: (p) => `The request was declined at ${p}, so nothing was connected. Try again if you meant to approve it.`,
  provider_error: (p) => `${p} reported an error and did not connect your account. Try again in a moment.`,
  token_exchange_failed: (p) =>
    `${p} approved the request but would not hand the vault its access. Try again; if it keeps happening, an administrator should check the client ID and secret.`,
  identity_failed: (p) => `The vault could not tell which ${p} account you connected, so it did not keep it. Try again.`,
  not_configured: (p) => `${p} is not set up in this vault yet: ask an administrator to add its client ID and secret.`,
  unknown_provider: (p) => `The vault does not know the provider "${p}": pick one from the catalogue below.`,
  invalid_request: (p) => `The request to connect ${p} was not valid (an unknown permission, for example): choose permissions below and try again.`,
};

/** Codes where retrying the same request cannot help, so no "Try again" link is offered. */
const NO_RETRY = new Set(["not_configured", "unknown_provider", "invalid_request"]);
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;

export function ConnectErrorBanner({ code, providerKey, providerName }: { code: string; providerKey: string | null; providerName: string | null }) {
  const name = providerName ?? providerKey ?? "the provider";
  const explain = SENTENCES[code] ?? ((p: string) => `Connecting ${p} failed. Try again.`);
  // The key comes from the query string: only a plain slug is allowed into a link.
  const retryKey = providerKey && SLUG.test(providerKey) && !NO_RETRY.has(code) ? providerKey : null;
  return (
    <div className="banner error" role="alert">
      <p>
        <strong>Could not connect {name}.</strong> {explain(name)}
      </p>
      {/* A plain link: the connect route answers with a redirect to the provider, not a page. */}
      {retryKey && <a href={connectHref(retryKey)}>Try again</a>}
    </div>
  );
}
