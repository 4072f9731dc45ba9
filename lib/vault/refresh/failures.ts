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
  /** The provider asked the vault to slow down (429): how long, from its Retry-After (30 s when unsaid). */
  retryAfterSeconds?: number;
};

const DEFAULT_RETRY_AFTER_SECONDS = 30;
const MAX_RETRY_AFTER_SECONDS = 3600;

/** Retry-After of a 429 answer, in seconds (a number or an HTTP date), bounded; undefined for other answers. */
export function retryAfterOf(response: Response | undefined, now = Date.now()): number | undefined {
  if (!response || response.status !== 429) return undefined;
  const raw = response.headers.get("retry-after")?.trim() ?? "";
  const asked = /^\d+$/.test(raw) ? Number(raw) : Number.isFinite(Date.parse(raw)) ? Math.ceil((Date.parse(raw) - now) / 1000) : DEFAULT_RETRY_AFTER_SECONDS;
  return Math.min(Math.max(asked, 1), MAX_RETRY_AFTER_SECONDS);
}

export function invalidGrant(name: string, detail = "invalid_grant"): RefreshFailure {
  return { kind: "invalid_grant", sentence: `${name} refused the refresh token (it was revoked or has expired): reconnect ${name}.`, detail };
}

/**
 * invalid_grant for a refresh token that an earlier refresh had already sent, which never finished:
 * its instance stopped between the provider's answer and storing it (the lease ran out). The provider
 * rotated the token then and will not take it back (it gives no grace for a lost answer).
 */
export function interruptedRefresh(name: string): RefreshFailure {
  return {
    kind: "invalid_grant",
    sentence: `A refresh of this ${name} connection was interrupted before the vault could store its result, and ${name} no longer accepts the refresh token the vault kept (it replaced or revoked it then): reconnect ${name}.`,
    detail: "invalid_grant:interrupted",
  };
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
    const wait = retryAfterOf(e.response);
    if (wait !== undefined) return slowDown(name, wait, `429 ${e.error}`);
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
    const wait = retryAfterOf(e.cause instanceof Response ? e.cause : undefined);
    if (wait !== undefined) return slowDown(name, wait, "429");
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

function slowDown(name: string, seconds: number, detail: string): RefreshFailure {
  return {
    kind: "transient",
    sentence: `${name} asked the vault to slow down (HTTP 429): the vault will refresh this connection again in ${seconds} seconds.`,
    detail,
    retryAfterSeconds: seconds,
  };
}
