import "server-only";
// The token endpoint's answers: RFC 6749 §5.1/§5.2 JSON (not problem+json), never cached by anyone.
import type { OAuthError } from "@/lib/oauth-server/errors";

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

export function tokenEndpointJson(body: object, status = 200, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

/**
 * RFC 6749 §5.2 (the status is the error's: 401 with a Basic challenge when Basic was tried; 429 with
 * Retry-After once failed authentications are throttled).
 */
export function oauthErrorResponse(e: OAuthError, opts: { basicAttempted?: boolean } = {}): Response {
  const status = e.status;
  const headers: Record<string, string> = status === 401 && opts.basicAttempted ? { "www-authenticate": 'Basic realm="token-vault", charset="UTF-8"' } : {};
  if (status === 429) headers["retry-after"] = String(e.internal.retryAfter ?? 60);
  return tokenEndpointJson({ error: e.error, error_description: e.description }, status, headers);
}
