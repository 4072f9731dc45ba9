import "server-only";
// Refreshing a connection's tokens, once. Single flight on two levels:
//   - in this process, concurrent callers share one promise per connection;
//   - across processes, the connection row is the lock: a short transaction takes it with
//     SELECT ... FOR UPDATE, re-checks whether a refresh is still needed (another instance may just
//     have done it) and claims a lease (refreshLeaseOwner/refreshLeaseUntil) before committing.
// The token endpoint is called OUTSIDE any transaction (PGlite has a single session, and a row lock
// must never wait on the network); a second short transaction saves the new token set and clears the
// lease. A rotated refresh token is therefore stored before anyone can use the new access token:
// callers only read the token set again after the flight has resolved. Instances that find the lease
// held poll the row (bounded) until it is released or expires.
// An owner that stops between the provider's answer and that save loses the answer, never the row:
// the row keeps the refresh token it sent until the new set commits, the lease runs out, and the
// next owner sends it again. A provider with a grace for lost answers accepts it; one without
// refuses it, and the connection needs reconnecting with a sentence saying the refresh was
// interrupted (a row still `refreshing` when its lease is claimed again is how that is known).
import { createHash, randomUUID } from "node:crypto";
import os from "node:os";
import * as oauth from "oauth4webapi";
import { getDb, type VaultPrismaClient } from "@/lib/db";
import { nextStatus } from "@/lib/connections/lifecycle";
import { getTenantProvider } from "@/lib/providers/registry";
import type { ProviderDefinition } from "@/lib/providers/schemas";
import { aadForConnection } from "@/lib/vault/crypto/aad";
import { VaultCallError } from "@/lib/vault/call/errors";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { authorizationServer, clientAuth, oauthClient, PROVIDER_TIMEOUT_MS, requestOptions } from "@/lib/vault/provider-oauth/client";
import { loadProviderClient } from "@/lib/vault/provider-oauth/client-credentials";
import { classifyRefreshError, interruptedRefresh, noRefreshToken, notConfigured } from "@/lib/vault/refresh/failures";
import {
  endLifetime,
  failRefresh,
  lockRow,
  recordFailure,
  releaseLease,
  saveRefreshed,
  TX_OPTIONS,
  type ClaimedRow,
  type RefreshOutcome,
  type RefreshTrigger,
  type Tx,
} from "@/lib/vault/refresh/outcome";

export type { RefreshOutcome, RefreshTrigger } from "@/lib/vault/refresh/outcome";
import { revealSecret, Secret } from "@/lib/vault/crypto/secret";
import { openTokenSet } from "@/lib/vault/crypto/token-set";

/** Refresh on demand when the access token has less than this left. */
export const REFRESH_SKEW_MS = 60_000;
/** Longer than the token endpoint's timeout plus our own work, so a live owner never loses its lease. */
export const REFRESH_LEASE_MS = 3 * PROVIDER_TIMEOUT_MS;
const POLL_MS = 100;
// PGlite runs one transaction at a time, so under load a transaction may queue behind others.

/** When a refresh is wanted: the token is (nearly) expired, or the provider refused this very token. */
export type RefreshNeed = { kind: "expiring"; withinMs: number } | { kind: "rejected"; fingerprint: string };

type Flight = { need: RefreshNeed; promise: Promise<RefreshOutcome> };
type Claim =
  | { kind: "current" }
  | { kind: "wait"; until: number; failureCount: number }
  | { kind: "failed_elsewhere"; sentence: string }
  | { kind: "reconnect"; sentence: string }
  | { kind: "claimed"; row: ClaimedRow };

/** Identifies a token without holding it: what a caller reports when the provider answered 401. */
export function tokenFingerprint(token: Secret): string {
  return createHash("sha256").update(revealSecret(token)).digest("hex");
}

/** A flight for `flight` also answers `mine` (so `mine` may join it instead of starting its own). */
function covers(flight: RefreshNeed, mine: RefreshNeed): boolean {
  if (flight.kind === "rejected") return mine.kind === "expiring" || mine.fingerprint === flight.fingerprint;
  return mine.kind === "expiring" && flight.withinMs >= mine.withinMs;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class TokenRefresher {
  readonly owner: string;
  readonly #db: () => Promise<VaultPrismaClient>;
  readonly #flights = new Map<string, Flight>();

  /** `owner` names this process in the lease column; tests build a second refresher to play another process. */
  constructor(opts: { owner?: string; db?: () => Promise<VaultPrismaClient> } = {}) {
    this.owner = opts.owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#db = opts.db ?? getDb;
  }

  /**
   * Makes sure the stored token set satisfies `need`, refreshing at most once per connection however
   * many callers ask at the same time. Throws VaultCallError (connection_needs_reconnect,
   * provider_unavailable, connection_not_found, connection_revoked).
   */
  async ensureFresh(connectionId: string, need: RefreshNeed, trigger: RefreshTrigger = "on_demand"): Promise<RefreshOutcome> {
    for (;;) {
      const flight = this.#flights.get(connectionId);
      if (!flight) break;
      if (covers(flight.need, need)) return flight.promise;
      await flight.promise.catch(() => undefined);
    }
    const promise = this.#run(connectionId, need, trigger).finally(() => {
      if (this.#flights.get(connectionId)?.promise === promise) this.#flights.delete(connectionId);
    });
    this.#flights.set(connectionId, { need, promise });
    return promise;
  }

  async #run(id: string, need: RefreshNeed, trigger: RefreshTrigger): Promise<RefreshOutcome> {
    const db = await this.#db();
    const head = await db.connection.findUnique({ where: { id }, select: { tenantId: true, providerKey: true } });
    if (!head) throw new VaultCallError("connection_not_found", "There is no such connection.");
    const def = (await getTenantProvider(head.tenantId, head.providerKey))?.definition ?? null;
    const name = def?.name ?? head.providerKey;
    let waitingSince: number | null = null;
    let failuresSeen: number | null = null;
    for (;;) {
      const claim = await db.$transaction((tx) => this.#claim(tx, id, need, name, failuresSeen, trigger), TX_OPTIONS);
      switch (claim.kind) {
        case "current":
          return "current";
        case "reconnect":
          throw new VaultCallError("connection_needs_reconnect", claim.sentence);
        case "failed_elsewhere":
          throw new VaultCallError("provider_unavailable", claim.sentence);
        case "claimed":
          return this.#exchange(db, claim.row, def, name, trigger);
        case "wait": {
          const now = Date.now();
          waitingSince ??= now;
          failuresSeen ??= claim.failureCount;
          // Bounded: a lease never outlives REFRESH_LEASE_MS, after which the loop claims it itself.
          if (now - waitingSince > REFRESH_LEASE_MS + 5_000) {
            throw new VaultCallError(
              "provider_unavailable",
              `Another vault instance is refreshing this ${name} connection and has not finished: try again shortly.`,
            );
          }
          await sleep(Math.max(10, Math.min(POLL_MS, claim.until - now)) + Math.random() * 25);
        }
      }
    }
  }

  /** The short locking transaction: decide, and claim the lease if this owner is to refresh. */
  async #claim(tx: Tx, id: string, need: RefreshNeed, name: string, failuresSeen: number | null, trigger: RefreshTrigger): Promise<Claim> {
    if (!(await lockRow(tx, id))) throw new VaultCallError("connection_not_found", "There is no such connection.");
    const row = await tx.connection.findUniqueOrThrow({
      where: { id },
      select: {
        id: true,
        tenantId: true,
        userId: true,
        providerKey: true,
        scopes: true,
        status: true,
        expiresAt: true,
        encBlob: true,
        refreshLeaseOwner: true,
        refreshLeaseUntil: true,
        failureCount: true,
        lastError: true,
        reconnectBy: true,
        user: { select: { arn: true } },
      },
    });
    if (row.status === "revoked" || !row.encBlob)
      throw new VaultCallError("connection_revoked", `This ${name} connection was disconnected: connect ${name} again.`);
    if (row.status === "needs_reconnect")
      throw new VaultCallError("connection_needs_reconnect", row.lastError ?? `This ${name} connection needs to be reconnected: reconnect ${name}.`);
    const now = Date.now();
    if (row.reconnectBy !== null && row.reconnectBy.getTime() <= now) return { kind: "reconnect", sentence: await endLifetime(tx, row, name) };
    const expired = row.expiresAt !== null && row.expiresAt.getTime() <= now;
    const set = openTokenSet(getKeyRing(), aadForConnection(row), row.encBlob);
    let hasRefreshToken: boolean;
    let needed: boolean;
    try {
      hasRefreshToken = set.refreshToken !== undefined;
      needed =
        need.kind === "rejected"
          ? tokenFingerprint(set.accessToken) === need.fingerprint
          : row.expiresAt !== null && row.expiresAt.getTime() - now < need.withinMs;
    } finally {
      set.dispose();
    }
    if (!needed) return { kind: "current" };
    if (!hasRefreshToken) {
      // Without a refresh token nothing can be done early; only a dead token means "reconnect".
      if (need.kind === "expiring" && !expired) return { kind: "current" };
      const failure = noRefreshToken(name, need.kind === "rejected" ? "rejected" : "expired");
      await recordFailure(tx, row, row.status, failure, trigger);
      return { kind: "reconnect", sentence: failure.sentence };
    }
    const leaseHeld = row.refreshLeaseOwner !== null && row.refreshLeaseOwner !== this.owner && (row.refreshLeaseUntil?.getTime() ?? 0) > now;
    if (leaseHeld) return { kind: "wait", until: row.refreshLeaseUntil!.getTime(), failureCount: row.failureCount };
    if (failuresSeen !== null && row.failureCount > failuresSeen) {
      // The instance we waited for has just failed against the provider: do not hammer it again.
      return { kind: "failed_elsewhere", sentence: row.lastError ?? `${name} could not refresh the access token right now; the vault will try again.` };
    }
    await tx.connection.update({
      where: { id },
      data: { status: nextStatus(row.status, { kind: "refresh_started" }), refreshLeaseOwner: this.owner, refreshLeaseUntil: new Date(now + REFRESH_LEASE_MS) },
    });
    // Only a claim sets `refreshing`, and every outcome clears it: still set, the last claim never ended.
    return { kind: "claimed", row: { ...row, encBlob: row.encBlob, interrupted: row.status === "refreshing" } };
  }

  /** Outside any transaction: the token endpoint round trip, then the save (or the failure record). */
  async #exchange(db: VaultPrismaClient, row: ClaimedRow, def: ProviderDefinition | null, name: string, trigger: RefreshTrigger): Promise<RefreshOutcome> {
    const set = openTokenSet(getKeyRing(), aadForConnection(row), row.encBlob);
    let client: Awaited<ReturnType<typeof loadProviderClient>> = null;
    try {
      client = def ? await loadProviderClient(row.tenantId, row.providerKey) : null;
      if (!def || !client) return await failRefresh(this.owner, db, row, notConfigured(name), trigger);
      let tokens: oauth.TokenEndpointResponse;
      try {
        const as = authorizationServer(def);
        const oc = oauthClient(client.clientId);
        const res = await oauth.refreshTokenGrantRequest(
          as,
          oc,
          clientAuth(def, client.clientSecret),
          revealSecret(set.refreshToken!),
          requestOptions(def, def.tokenParams),
        );
        tokens = await oauth.processRefreshTokenResponse(as, oc, res);
      } catch (e) {
        const failure = classifyRefreshError(e, name);
        if (!failure) {
          await releaseLease(this.owner, db, row.id);
          throw e;
        }
        return await failRefresh(this.owner, db, row, failure.kind === "invalid_grant" && row.interrupted ? interruptedRefresh(name) : failure, trigger);
      }
      return await saveRefreshed(this.owner, db, row, name, tokens, revealSecret(set.refreshToken!), trigger, def.refreshTokenLifetimeDays);
    } finally {
      set.dispose();
      client?.clientSecret.dispose();
    }
  }
}

const holder = globalThis as unknown as { __vaultTokenRefresher?: TokenRefresher };

/** The process's refresher: one flight map and one lease owner name per process. */
export function tokenRefresher(): TokenRefresher {
  return (holder.__vaultTokenRefresher ??= new TokenRefresher());
}

/**
 * Refreshes the connection's tokens if they expire within a minute (or `withinMs`), or, with
 * `rejectedFingerprint`, if the stored access token is still the one the provider just refused.
 */
export function ensureFreshTokens(
  connectionId: string,
  opts: { withinMs?: number; rejectedFingerprint?: string; trigger?: RefreshTrigger } = {},
): Promise<RefreshOutcome> {
  const need: RefreshNeed = opts.rejectedFingerprint
    ? { kind: "rejected", fingerprint: opts.rejectedFingerprint }
    : { kind: "expiring", withinMs: opts.withinMs ?? REFRESH_SKEW_MS };
  return tokenRefresher().ensureFresh(connectionId, need, opts.trigger ?? (opts.rejectedFingerprint ? "provider_rejected_token" : "on_demand"));
}
