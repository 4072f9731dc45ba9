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
import { createHash, randomUUID } from "node:crypto";
import os from "node:os";
import * as oauth from "oauth4webapi";
import { appendAudit } from "@/lib/audit/append";
import { getDb, type VaultPrismaClient } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { getTenantProvider } from "@/lib/providers/registry";
import type { ProviderDefinition } from "@/lib/providers/schemas";
import { aadForConnection } from "@/lib/vault/crypto/aad";
import { VaultCallError } from "@/lib/vault/call/errors";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { authorizationServer, clientAuth, oauthClient, PROVIDER_TIMEOUT_MS, requestOptions } from "@/lib/vault/provider-oauth/client";
import { loadProviderClient } from "@/lib/vault/provider-oauth/client-credentials";
import { classifyRefreshError, noRefreshToken, notConfigured, type RefreshFailure } from "@/lib/vault/refresh/failures";
import { revealSecret, Secret } from "@/lib/vault/crypto/secret";
import { openTokenSet, sealTokenSet } from "@/lib/vault/crypto/token-set";

/** Refresh on demand when the access token has less than this left. */
export const REFRESH_SKEW_MS = 60_000;
/** Longer than the token endpoint's timeout plus our own work, so a live owner never loses its lease. */
export const REFRESH_LEASE_MS = 3 * PROVIDER_TIMEOUT_MS;
const POLL_MS = 100;
// PGlite runs one transaction at a time, so under load a transaction may queue behind others.
const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 };

/** When a refresh is wanted: the token is (nearly) expired, or the provider refused this very token. */
export type RefreshNeed = { kind: "expiring"; withinMs: number } | { kind: "rejected"; fingerprint: string };
export type RefreshTrigger = "on_demand" | "provider_rejected_token" | "engine";
/** refreshed: this owner exchanged the refresh token; current: nothing (more) to do, re-read the row. */
export type RefreshOutcome = "refreshed" | "current";

type Tx = Prisma.TransactionClient;
type Flight = { need: RefreshNeed; promise: Promise<RefreshOutcome> };
type ClaimedRow = {
  id: string;
  tenantId: string;
  userId: string;
  providerKey: string;
  scopes: string[];
  encBlob: Uint8Array;
  user: { arn: string };
};
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

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** A flight for `flight` also answers `mine` (so `mine` may join it instead of starting its own). */
function covers(flight: RefreshNeed, mine: RefreshNeed): boolean {
  if (flight.kind === "rejected") return mine.kind === "expiring" || mine.fingerprint === flight.fingerprint;
  return mine.kind === "expiring" && flight.withinMs >= mine.withinMs;
}

async function lockRow(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "Connection" WHERE "id" = ${id} FOR UPDATE`;
  return rows.length === 1;
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
            throw new VaultCallError("provider_unavailable", `Another vault instance is refreshing this ${name} connection and has not finished: try again shortly.`);
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
        user: { select: { arn: true } },
      },
    });
    if (row.status === "revoked" || !row.encBlob) throw new VaultCallError("connection_revoked", `This ${name} connection was disconnected: connect ${name} again.`);
    if (row.status === "needs_reconnect") throw new VaultCallError("connection_needs_reconnect", row.lastError ?? `This ${name} connection needs to be reconnected: reconnect ${name}.`);
    const now = Date.now();
    const expired = row.expiresAt !== null && row.expiresAt.getTime() <= now;
    const set = openTokenSet(getKeyRing(), aadForConnection(row), row.encBlob);
    let hasRefreshToken: boolean;
    let needed: boolean;
    try {
      hasRefreshToken = set.refreshToken !== undefined;
      needed = need.kind === "rejected" ? tokenFingerprint(set.accessToken) === need.fingerprint : row.expiresAt !== null && row.expiresAt.getTime() - now < need.withinMs;
    } finally {
      set.dispose();
    }
    if (!needed) return { kind: "current" };
    if (!hasRefreshToken) {
      // Without a refresh token nothing can be done early; only a dead token means "reconnect".
      if (need.kind === "expiring" && !expired) return { kind: "current" };
      const failure = noRefreshToken(name, need.kind === "rejected" ? "rejected" : "expired");
      await this.#record(tx, row, failure, trigger);
      return { kind: "reconnect", sentence: failure.sentence };
    }
    const leaseHeld = row.refreshLeaseOwner !== null && row.refreshLeaseOwner !== this.owner && (row.refreshLeaseUntil?.getTime() ?? 0) > now;
    if (leaseHeld) return { kind: "wait", until: row.refreshLeaseUntil!.getTime(), failureCount: row.failureCount };
    if (failuresSeen !== null && row.failureCount > failuresSeen) {
      // The instance we waited for has just failed against the provider: do not hammer it again.
      return { kind: "failed_elsewhere", sentence: row.lastError ?? `${name} could not refresh the access token right now; the vault will try again.` };
    }
    await tx.connection.update({ where: { id }, data: { refreshLeaseOwner: this.owner, refreshLeaseUntil: new Date(now + REFRESH_LEASE_MS) } });
    return { kind: "claimed", row: { ...row, encBlob: row.encBlob } };
  }

  /** Outside any transaction: the token endpoint round trip, then the save (or the failure record). */
  async #exchange(db: VaultPrismaClient, row: ClaimedRow, def: ProviderDefinition | null, name: string, trigger: RefreshTrigger): Promise<RefreshOutcome> {
    const set = openTokenSet(getKeyRing(), aadForConnection(row), row.encBlob);
    let client: Awaited<ReturnType<typeof loadProviderClient>> = null;
    try {
      client = def ? await loadProviderClient(row.tenantId, row.providerKey) : null;
      if (!def || !client) return await this.#fail(db, row, notConfigured(name), trigger);
      let tokens: oauth.TokenEndpointResponse;
      try {
        const as = authorizationServer(def);
        const oc = oauthClient(client.clientId);
        const res = await oauth.refreshTokenGrantRequest(as, oc, clientAuth(def, client.clientSecret), revealSecret(set.refreshToken!), requestOptions(def, def.tokenParams));
        tokens = await oauth.processRefreshTokenResponse(as, oc, res);
      } catch (e) {
        const failure = classifyRefreshError(e, name);
        if (!failure) {
          await this.#releaseLease(db, row.id);
          throw e;
        }
        return await this.#fail(db, row, failure, trigger);
      }
      return await this.#save(db, row, name, tokens, revealSecret(set.refreshToken!), trigger);
    } finally {
      set.dispose();
      client?.clientSecret.dispose();
    }
  }

  async #save(db: VaultPrismaClient, row: ClaimedRow, name: string, tokens: oauth.TokenEndpointResponse, previousRefresh: string, trigger: RefreshTrigger): Promise<RefreshOutcome> {
    // Registered with the log redactor while they are in flight.
    const live = [new Secret(tokens.access_token), ...(tokens.refresh_token ? [new Secret(tokens.refresh_token)] : [])];
    try {
      const now = new Date();
      const expiresAt = typeof tokens.expires_in === "number" ? new Date(now.getTime() + tokens.expires_in * 1000) : null;
      const granted = typeof tokens.scope === "string" ? tokens.scope.split(/[ ,]+/).filter(Boolean) : null;
      const result = await db.$transaction(async (tx) => {
        await lockRow(tx, row.id);
        const current = await tx.connection.findUnique({ where: { id: row.id }, select: { status: true, encBlob: true, refreshLeaseOwner: true } });
        if (!current || current.status === "revoked" || !current.encBlob) return "gone" as const;
        // Our lease ran out and another owner already stored a newer set: theirs stands.
        if (current.refreshLeaseOwner !== this.owner && !sameBytes(current.encBlob, row.encBlob)) return "superseded" as const;
        const { blob, keyVersion } = sealTokenSet(getKeyRing(), aadForConnection(row), {
          accessToken: tokens.access_token,
          // Providers that do not rotate keep answering without a refresh_token: the old one stays valid.
          refreshToken: tokens.refresh_token ?? previousRefresh,
          tokenType: tokens.token_type,
          expiresAt: expiresAt?.getTime(),
          scope: (granted ?? row.scopes).join(" "),
        });
        await tx.connection.update({
          where: { id: row.id },
          data: {
            encBlob: blob,
            keyVersion,
            status: "active",
            expiresAt,
            lastRefreshedAt: now,
            failureCount: 0,
            lastError: null,
            refreshLeaseOwner: null,
            refreshLeaseUntil: null,
            ...(granted ? { scopes: granted } : {}),
          },
        });
        await appendAudit(tx, {
          tenantId: row.tenantId,
          actorArn: row.user.arn,
          action: "connection.refresh",
          outcome: "success",
          target: row.id,
          details: { provider: row.providerKey, trigger, expiresAt: expiresAt?.toISOString() ?? null, rotated: Boolean(tokens.refresh_token) },
        });
        return "saved" as const;
      }, TX_OPTIONS);
      if (result !== "saved") log.warn({ connection: row.id, provider: row.providerKey, result }, `refreshed ${name} tokens were discarded: the connection changed meanwhile`);
      return result === "saved" ? "refreshed" : "current";
    } finally {
      for (const s of live) s.dispose();
    }
  }

  async #fail(db: VaultPrismaClient, row: ClaimedRow, failure: RefreshFailure, trigger: RefreshTrigger): Promise<RefreshOutcome> {
    const result = await db.$transaction(async (tx) => {
      await lockRow(tx, row.id);
      const current = await tx.connection.findUnique({ where: { id: row.id }, select: { status: true, encBlob: true, refreshLeaseOwner: true } });
      if (!current || current.status === "revoked" || !current.encBlob) return "gone" as const;
      if (!sameBytes(current.encBlob, row.encBlob)) {
        // Someone else stored a new set meanwhile (our invalid_grant was their rotation): nothing is wrong.
        if (current.refreshLeaseOwner === this.owner) await tx.connection.update({ where: { id: row.id }, data: { refreshLeaseOwner: null, refreshLeaseUntil: null } });
        return "superseded" as const;
      }
      await this.#record(tx, row, failure, trigger, current.refreshLeaseOwner === this.owner || current.refreshLeaseOwner === null);
      return "recorded" as const;
    }, TX_OPTIONS);
    log.warn({ connection: row.id, provider: row.providerKey, kind: failure.kind, detail: failure.detail, result }, "token refresh failed");
    if (result === "superseded") return "current";
    if (result === "gone") throw new VaultCallError("connection_revoked", "This connection was disconnected while the vault was refreshing it.");
    throw new VaultCallError(failure.kind === "invalid_grant" ? "connection_needs_reconnect" : "provider_unavailable", failure.sentence);
  }

  /** Writes a failed refresh onto the row (inside the caller's locking transaction) and audits it. */
  async #record(tx: Tx, row: { id: string; tenantId: string; providerKey: string; user: { arn: string } }, failure: RefreshFailure, trigger: RefreshTrigger, releaseLease = false): Promise<void> {
    await tx.connection.update({
      where: { id: row.id },
      data: {
        ...(failure.kind === "invalid_grant" ? { status: "needs_reconnect" as const } : {}),
        lastError: failure.sentence,
        failureCount: { increment: 1 },
        ...(releaseLease ? { refreshLeaseOwner: null, refreshLeaseUntil: null } : {}),
      },
    });
    await appendAudit(tx, {
      tenantId: row.tenantId,
      actorArn: row.user.arn,
      action: "connection.refresh",
      outcome: "failure",
      target: row.id,
      details: {
        provider: row.providerKey,
        trigger,
        code: failure.kind === "invalid_grant" ? "connection_needs_reconnect" : "provider_unavailable",
        detail: failure.detail,
        reason: failure.sentence,
      },
    });
  }

  async #releaseLease(db: VaultPrismaClient, id: string): Promise<void> {
    await db.connection.updateMany({ where: { id, refreshLeaseOwner: this.owner }, data: { refreshLeaseOwner: null, refreshLeaseUntil: null } }).catch(() => undefined);
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
export function ensureFreshTokens(connectionId: string, opts: { withinMs?: number; rejectedFingerprint?: string; trigger?: RefreshTrigger } = {}): Promise<RefreshOutcome> {
  const need: RefreshNeed = opts.rejectedFingerprint ? { kind: "rejected", fingerprint: opts.rejectedFingerprint } : { kind: "expiring", withinMs: opts.withinMs ?? REFRESH_SKEW_MS };
  return tokenRefresher().ensureFresh(connectionId, need, opts.trigger ?? (opts.rejectedFingerprint ? "provider_rejected_token" : "on_demand"));
}
