import "server-only";

// Builds the provider authorization URL for a connect flow. The state, PKCE verifier and nonce are
// the caller's (they must be stored server-side with the flow); this module only puts them, and
// nothing a definition could smuggle in, in the right parameters.
import { oauthSettings, type ProviderDefinition } from "@/lib/providers/schemas";

export type AuthorizationRequest = {
  clientId: string;
  redirectUri: string;
  state: string;
  /** S256 challenge (oauth4webapi's calculatePKCECodeChallenge); required when the provider uses PKCE. */
  codeChallenge?: string;
  /** Requested scopes; an empty list means the definition's default scopes. */
  scopes: readonly string[];
  nonce?: string;
};

export class AuthorizationUrlError extends Error {
  constructor(
    readonly code: "unknown_scope" | "invalid_request",
    message: string,
  ) {
    super(message);
    this.name = "AuthorizationUrlError";
  }
}

/** Grants this large get an extra confirmation on the consent screen. */
export const LARGE_GRANT_THRESHOLD = 10;

// RFC 6749 scope-token, minus the comma some providers use as separator.
const SCOPE_TOKEN = /^[\x21\x23-\x2B\x2D-\x5B\x5D-\x7E]+$/;
// base64url of a SHA-256 digest is exactly 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
// Opaque values the provider echoes back; kept to URL-safe characters of sane length.
const OPAQUE_VALUE = /^[\x21-\x7E]{8,512}$/;

function uniqueScopes(scopes: readonly string[]): string[] {
  return [...new Set(scopes.map((s) => s.trim()).filter(Boolean))];
}

/**
 * The scopes a connect flow will request: the caller's choice (or the definition's defaults),
 * refusing anything the definition does not offer. Generic providers accept any well-formed scope,
 * since the admin who added them may not have listed every one.
 */
export function resolveRequestedScopes(def: ProviderDefinition, scopes: readonly string[]): string[] {
  const requested = uniqueScopes(scopes);
  const chosen = requested.length > 0 ? requested : def.scopes.filter((s) => s.default).map((s) => s.name);
  const offered = new Set(def.scopes.map((s) => s.name));
  for (const scope of chosen) {
    if (!SCOPE_TOKEN.test(scope)) {
      throw new AuthorizationUrlError("unknown_scope", `"${scope}" is not a valid scope name: scopes cannot contain spaces, commas or quotes.`);
    }
    if (def.kind !== "generic" && !offered.has(scope)) {
      const known = def.scopes.length > 0 ? ` Choose from: ${def.scopes.map((s) => s.name).join(", ")}.` : ` ${def.name} does not use scopes.`;
      throw new AuthorizationUrlError("unknown_scope", `${def.name} does not offer the scope "${scope}".${known}`);
    }
  }
  return chosen;
}

export function buildAuthorizationUrl(def: ProviderDefinition, request: AuthorizationRequest): URL {
  if (!request.clientId.trim()) {
    throw new AuthorizationUrlError("invalid_request", `${def.name} has no client ID configured: an administrator must add one before anyone can connect.`);
  }
  let redirect: URL;
  try {
    redirect = new URL(request.redirectUri);
  } catch {
    throw new AuthorizationUrlError("invalid_request", `The redirect URI "${request.redirectUri}" is not an absolute URL.`);
  }
  if ((redirect.protocol !== "https:" && redirect.protocol !== "http:") || redirect.hash) {
    throw new AuthorizationUrlError("invalid_request", "The redirect URI must be an http(s) URL without a fragment.");
  }
  if (!OPAQUE_VALUE.test(request.state)) {
    throw new AuthorizationUrlError("invalid_request", "The state must be 8 to 512 URL-safe characters; generate it with a random generator.");
  }
  if (request.nonce !== undefined && !OPAQUE_VALUE.test(request.nonce)) {
    throw new AuthorizationUrlError("invalid_request", "The nonce must be 8 to 512 URL-safe characters.");
  }
  if (def.pkce && (request.codeChallenge === undefined || !S256_CHALLENGE.test(request.codeChallenge))) {
    throw new AuthorizationUrlError("invalid_request", `${def.name} uses PKCE: pass the S256 code challenge of the flow's verifier.`);
  }

  const scopes = resolveRequestedScopes(def, request.scopes);
  const url = new URL(oauthSettings(def).authorizationUrl);
  // Extra params first so that the vault's own parameters always win (the schema also forbids clashes).
  for (const [name, value] of Object.entries(def.authorizationParams ?? {})) url.searchParams.set(name, value);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", request.clientId);
  url.searchParams.set("redirect_uri", request.redirectUri);
  url.searchParams.set("state", request.state);
  if (scopes.length > 0) url.searchParams.set(def.scopeParam, scopes.join(def.scopeSeparator));
  if (def.pkce && request.codeChallenge) {
    url.searchParams.set("code_challenge", request.codeChallenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  if (request.nonce !== undefined) url.searchParams.set("nonce", request.nonce);
  return url;
}

export type ScopeDescription = { scope: string; description: string; known: boolean };

/** Plain-words descriptions for a consent screen or a grant summary, in the order given. */
export function describeScopes(def: ProviderDefinition, scopes: readonly string[]): ScopeDescription[] {
  const byName = new Map(def.scopes.map((s) => [s.name, s.description]));
  return uniqueScopes(scopes).map((scope) => {
    const description = byName.get(scope);
    return description !== undefined
      ? { scope, description, known: true }
      : { scope, description: `A permission ${def.name} calls "${scope}" (not described by the vault)`, known: false };
  });
}

/** True when a grant asks for more than LARGE_GRANT_THRESHOLD distinct scopes. */
export function isLargeGrant(scopes: readonly string[]): boolean {
  return uniqueScopes(scopes).length > LARGE_GRANT_THRESHOLD;
}
