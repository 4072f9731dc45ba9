// A refusal of the token endpoint: a VaultError (lib/errors.ts) whose code is the RFC 6749 error,
// answered as `{ error, error_description }` (lib/http/oauth-response.ts) rather than problem+json.
import { VaultError } from "@/lib/errors";

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

/** RFC 6749 §5.2: 400 for everything but a failed client authentication (401) and our own faults; 429 once throttled. */
function statusOf(error: OAuthErrorCode): number {
  if (error === "invalid_client") return 401;
  if (error === "server_error") return 500;
  if (error === "temporarily_unavailable") return 429;
  return 400;
}

/** A refusal the token endpoint answers as `{ error, error_description }`. The description is safe to show. */
export class OAuthError extends VaultError {
  declare readonly code: OAuthErrorCode;
  constructor(
    error: OAuthErrorCode,
    description: string,
    /** Extra facts for the audit log and the server log (never secrets); not sent to the client. */
    readonly internal: { reason?: string; pdpCode?: string; retryAfter?: number } = {},
  ) {
    super(statusOf(error), error, description);
    this.name = "OAuthError";
  }

  get error(): OAuthErrorCode {
    return this.code;
  }

  get description(): string {
    return this.message;
  }
}
