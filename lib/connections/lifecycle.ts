// A connection's status, decided in one place. The connect flow, the refresher, the refresh engine
// and disconnect each report what happened, and this says what the status becomes:
//   active           a working credential;
//   refreshing       a vault instance holds the refresh lease right now (the access token may still work);
//   degraded         the last refresh failed for a reason that may pass (the provider was down, slow or
//                    answered nonsense); the vault retries with backoff and the access token is used
//                    while it is valid;
//   needs_reconnect  the provider will not refresh it any more (invalid_grant, no refresh token, or its
//                    refresh token's lifetime ended): only the person can fix it, by connecting again;
//   revoked          disconnected.
// The first three are usable (lib/pdp/connection.ts); moving among them changes no decision.
// Also here: when a connection must be reconnected by (its refresh token's absolute lifetime, as the
// provider says in `refresh_token_expires_in` or as the catalogue declares), and when to warn. Pure.
import type { ConnectionStatus } from "./schemas";

export type ConnectionEvent =
  /** A token set was stored by connecting (or reconnecting) the account. */
  | { kind: "connected" }
  /** This instance claimed the refresh lease. */
  | { kind: "refresh_started" }
  | { kind: "refreshed" }
  /** `final`: the provider will not refresh this credential again. */
  | { kind: "refresh_failed"; final: boolean }
  /** The lease was given back without an outcome (an unexpected error); `failureCount` is the row's. */
  | { kind: "refresh_abandoned"; failureCount: number }
  /** The refresh token's absolute lifetime is over. */
  | { kind: "lifetime_ended" }
  | { kind: "disconnected" };

export function nextStatus(current: ConnectionStatus, event: ConnectionEvent): ConnectionStatus {
  switch (event.kind) {
    case "connected":
      return "active";
    case "disconnected":
      return "revoked";
    default:
      break;
  }
  // Only connecting again brings back a connection that needs it or was disconnected.
  if (current === "revoked" || current === "needs_reconnect") return current;
  switch (event.kind) {
    case "refresh_started":
      return "refreshing";
    case "refreshed":
      return "active";
    case "refresh_failed":
      return event.final ? "needs_reconnect" : "degraded";
    case "refresh_abandoned":
      return current === "refreshing" ? (event.failureCount > 0 ? "degraded" : "active") : current;
    case "lifetime_ended":
      return "needs_reconnect";
  }
}

export const DAY_MS = 86_400_000;
/** How long before its end a connection's owner is warned, first and last. */
export const RECONNECT_WARNINGS_DAYS = [7, 1] as const;

/**
 * When the refresh token just issued stops working: `refresh_token_expires_in` (seconds, as Slack,
 * Microsoft and others send it) first, else the provider's declared lifetime; null when neither says.
 */
export function reconnectByFrom(tokens: object, lifetimeDays: number | undefined, now: Date): Date | null {
  const seconds = Number((tokens as { refresh_token_expires_in?: unknown }).refresh_token_expires_in);
  if (Number.isFinite(seconds) && seconds > 0) return new Date(now.getTime() + seconds * 1000);
  return lifetimeDays ? new Date(now.getTime() + lifetimeDays * DAY_MS) : null;
}

export type ReconnectWarning = { level: "soon" | "urgent" | "ended"; reconnectBy: Date; daysLeft: number };

/** Whether the owner should be told to reconnect: within 7 days ("soon"), within 1 day ("urgent"), or past it. */
export function reconnectWarning(reconnectBy: Date | string | null, now = new Date()): ReconnectWarning | null {
  if (!reconnectBy) return null;
  const at = new Date(reconnectBy);
  const left = at.getTime() - now.getTime();
  const daysLeft = Math.max(0, Math.ceil(left / DAY_MS));
  if (left <= 0) return { level: "ended", reconnectBy: at, daysLeft: 0 };
  if (left <= RECONNECT_WARNINGS_DAYS[1] * DAY_MS) return { level: "urgent", reconnectBy: at, daysLeft };
  if (left <= RECONNECT_WARNINGS_DAYS[0] * DAY_MS) return { level: "soon", reconnectBy: at, daysLeft };
  return null;
}
