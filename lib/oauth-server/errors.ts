import "server-only";
// The token endpoint's answers: RFC 6749 §5.1/§5.2 JSON (not problem+json), never cached by anyone.
import { NextResponse } from "next/server";

export type OAuthErrorCode =
  | "invalid_request"
  | "invalid_client"
  | "invalid_grant"
  | "unauthorized_client"
  | "unsupported_grant_type"
  | "invalid_scope"
  | "invalid_target"
  | "temporarily_unavailable"
  | "server_error";

/** A refusal the token endpoint answers as `{ error, error_description }`. The description is safe to show. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    /** Extra facts for the audit log and the server log (never secrets); not sent to the client. */
    readonly internal: { reason?: string; pdpCode?: string; retryAfter?: number } = {},
  ) {
    super(description);
    this.name = "OAuthError";
  }
}

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

export function tokenEndpointJson(body: object, status = 200, headers: Record<string, string> = {}): NextResponse {
  return NextResponse.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/**
 * RFC 6749 §5.2: 400 for everything but a failed client authentication (401, with a Basic challenge
 * when Basic was tried); 429 with Retry-After once failed authentications are throttled.
 */
export function oauthErrorResponse(e: OAuthError, opts: { basicAttempted?: boolean } = {}): NextResponse {
  const status = e.error === "invalid_client" ? 401 : e.error === "server_error" ? 500 : e.error === "temporarily_unavailable" ? 429 : 400;
  const headers: Record<string, string> = status === 401 && opts.basicAttempted ? { "www-authenticate": 'Basic realm="token-vault", charset="UTF-8"' } : {};
  if (status === 429) headers["retry-after"] = String(e.internal.retryAfter ?? 60);
  return tokenEndpointJson({ error: e.error, error_description: e.description }, status, headers);
}
