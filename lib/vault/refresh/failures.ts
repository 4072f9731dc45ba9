import "server-only";
// What a failed refresh means for the connection. Only `invalid_grant` says the grant itself is gone
// (revoked, expired, or a rotated refresh token reused), so only it asks the person to reconnect;
// everything else (network, timeouts, 5xx, a misconfigured client) leaves the connection active and
// is retried. The sentences go to lastError, the audit trail and the agent; never a provider's body,
// which is why no oauth4webapi error is kept as a `cause` (their causes can hold the response JSON).
import * as oauth from "oauth4webapi";
import { PROVIDER_TIMEOUT_MS } from "@/lib/vault/provider-oauth/client";

export type RefreshFailure = {
  kind: "invalid_grant" | "transient";
  /** A sentence for a person: what happened and what to do next. */
  sentence: string;
  /** Short machine detail for the audit row (an OAuth error code, an HTTP status). */
  detail: string;
};

export function invalidGrant(name: string, detail = "invalid_grant"): RefreshFailure {
  return { kind: "invalid_grant", sentence: `${name} refused the refresh token (it was revoked or has expired): reconnect ${name}.`, detail };
}

export function noRefreshToken(name: string, why: "expired" | "rejected"): RefreshFailure {
  const what = why === "expired" ? "The access token for this connection has expired" : `${name} rejected the stored access token`;
  return { kind: "invalid_grant", sentence: `${what} and there is no refresh token to renew it: reconnect ${name}.`, detail: `no_refresh_token:${why}` };
}

export function notConfigured(name: string): RefreshFailure {
  return {
    kind: "transient",
    sentence: `${name} is no longer set up in this portal, so the vault cannot refresh this connection: ask an administrator to register ${name} again.`,
    detail: "provider_not_configured",
  };
}

/** Classifies what the token endpoint round trip threw; null for errors that are bugs, not provider answers. */
export function classifyRefreshError(e: unknown, name: string): RefreshFailure | null {
  if (e instanceof oauth.ResponseBodyError) {
    if (e.error === "invalid_grant") return invalidGrant(name);
    if (e.status >= 500 || e.error === "temporarily_unavailable" || e.error === "server_error") {
      return {
        kind: "transient",
        sentence: `${name} could not refresh the access token right now (it answered ${e.status} ${e.error}); the vault will try again.`,
        detail: `${e.status} ${e.error}`,
      };
    }
    return {
      kind: "transient",
      sentence: `${name} refused the vault's refresh request (${e.error}): an administrator should check the ${name} client registration.`,
      detail: `${e.status} ${e.error}`,
    };
  }
  if (e instanceof oauth.WWWAuthenticateChallengeError) {
    return {
      kind: "transient",
      sentence: `${name} refused the vault's client credentials when refreshing (HTTP ${e.status}): an administrator should check the ${name} client registration.`,
      detail: `${e.status} challenge`,
    };
  }
  if (e instanceof oauth.OperationProcessingError) {
    const status = e.cause instanceof Response ? e.cause.status : undefined;
    // oauth4webapi parses error bodies of 4xx answers only; a 5xx arrives here.
    if (status !== undefined && status >= 500) {
      return {
        kind: "transient",
        sentence: `${name} could not refresh the access token right now (it answered HTTP ${status}); the vault will try again.`,
        detail: `${status}`,
      };
    }
    return {
      kind: "transient",
      sentence: `${name} answered the refresh request with something that is not a valid token response${status ? ` (HTTP ${status})` : ""}; the vault will try again.`,
      detail: `${e.code ?? "invalid_response"}${status ? ` ${status}` : ""}`,
    };
  }
  if (e instanceof DOMException && (e.name === "TimeoutError" || e.name === "AbortError")) {
    return {
      kind: "transient",
      sentence: `${name} did not answer the refresh request within ${PROVIDER_TIMEOUT_MS / 1000} seconds; the vault will try again.`,
      detail: "timeout",
    };
  }
  if (e instanceof TypeError) {
    // fetch reports DNS failures, refused connections and resets as a TypeError ("fetch failed").
    return { kind: "transient", sentence: `${name} could not be reached to refresh the access token; the vault will try again.`, detail: "network" };
  }
  return null;
}
