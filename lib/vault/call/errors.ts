import "server-only";
// Why the vault could not make a provider call for an agent: a VaultError (lib/errors.ts) whose code
// says what happened at the provider or to the connection, with the status it is answered with. The
// message is a sentence for a person; none of it ever carries a token or a provider's body.
import { VaultError } from "@/lib/errors";

export type VaultCallErrorCode =
  /** No such connection in this tenant. */
  | "connection_not_found"
  /** The person disconnected it; there is nothing to call with. */
  | "connection_revoked"
  /** The provider refused the refresh token (or there is none and the access token died). */
  | "connection_needs_reconnect"
  /** The provider (token endpoint or API) could not be reached or answered with a server error. */
  | "provider_unavailable"
  /** The provider did not answer within the time limit. */
  | "provider_timeout"
  /** The provider's answer was larger than the vault will hold in memory. */
  | "provider_response_too_large"
  /** The caller handed over a URL the vault will never send a credential to. */
  | "invalid_upstream_url";

const HTTP_STATUS: Record<VaultCallErrorCode, number> = {
  connection_not_found: 404,
  connection_revoked: 409,
  connection_needs_reconnect: 409,
  provider_unavailable: 502,
  provider_timeout: 504,
  provider_response_too_large: 502,
  invalid_upstream_url: 400,
};

export class VaultCallError extends VaultError {
  declare readonly code: VaultCallErrorCode;
  constructor(code: VaultCallErrorCode, message: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    const wait = options?.retryAfterSeconds;
    super(HTTP_STATUS[code], code, message, wait ? { retry_after: wait } : {}, {
      cause: options?.cause,
      ...(wait ? { headers: { "retry-after": String(wait) } } : {}),
    });
    this.name = "VaultCallError";
  }

  /** The status it is answered with (the same as `status`). */
  get httpStatus(): number {
    return this.status;
  }
}

export function isVaultCallError(e: unknown, code?: VaultCallErrorCode): e is VaultCallError {
  return e instanceof VaultCallError && (code === undefined || e.code === code);
}
