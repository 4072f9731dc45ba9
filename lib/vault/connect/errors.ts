import "server-only";
// Why a connect flow stopped. The code goes into the redirect back to the portal (the page turns
// it into a sentence); the message is for the log and the audit trail. Neither ever carries a token.
export type ConnectErrorCode =
  | "state_invalid"
  | "state_expired"
  | "state_reused"
  | "session_mismatch"
  | "issuer_mismatch"
  | "access_denied"
  | "provider_error"
  | "token_exchange_failed"
  | "identity_failed"
  | "not_configured"
  | "unknown_provider"
  | "invalid_request";

export class ConnectError extends Error {
  /** Set once the failed request is known to be this person's popup flow: the popup tells its opener instead of redirecting. */
  popupNonce?: string;

  constructor(
    readonly code: ConnectErrorCode,
    message: string,
    readonly providerKey?: string,
  ) {
    super(message);
    this.name = "ConnectError";
  }
}
