// RFC 6750 §3 `WWW-Authenticate: Bearer` challenges, one builder for every bearer route: no `error`
// when no token came, `invalid_token` for a token refused (401), `insufficient_scope` with `scope`
// naming what is missing for a refusal the person could lift by granting more (403, §3.1). Extra
// parameters (RFC 9728 §5.1 `resource_metadata`) come last. Pure.
export const BEARER_REALM = "token-vault";

export type ChallengeError = {
  code: "invalid_token" | "insufficient_scope";
  description: string;
  /** insufficient_scope: what is missing, as scope tokens. */
  scope?: readonly string[];
};

// RFC 6750 §3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function bearerChallenge(error?: ChallengeError, extra: Readonly<Record<string, string>> = {}, realm = BEARER_REALM): string {
  const params = [`realm="${quote(realm)}"`];
  if (error) {
    params.push(`error="${error.code}"`, `error_description="${quote(error.description)}"`);
    const scope = (error.scope ?? []).filter((s) => SCOPE_TOKEN.test(s));
    if (scope.length > 0) params.push(`scope="${scope.join(" ")}"`);
  }
  for (const [name, value] of Object.entries(extra)) params.push(`${name}="${quote(value)}"`);
  return `Bearer ${params.join(", ")}`;
}

// error_description is %x20-21 / %x23-5B / %x5D-7E: no quote, no backslash, nothing outside printable ASCII.
function quote(s: string): string {
  return s.replace(/["\\]/g, "'").replace(/[^\x20-\x7e]/g, " ");
}
