// The refresh engine at scale, on PostgreSQL, with two instances: this process and a sweeper child
// with its own lease owner. A provider on loopback rotates refresh tokens and counts every grant per
// refresh token, so a double refresh (the same refresh token redeemed twice) and a lost one (a
// connection whose stored refresh token is no longer the provider's current one) are both visible.
// N connections whose access tokens expire within the hour are swept by both instances at once:
// every one is refreshed exactly once. A provider answering 429 with Retry-After is paused, not
// hammered. `REFRESH_SCALE_N` (default 600) sets N; the note's 10,000 were measured with it.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { createPostgresDatabase } from "@/lib/testing/db";

const N = Number(process.env.REFRESH_SCALE_N ?? 600);

/** The provider's side: the current refresh token of each account, and how often each token was redeemed. */
const current = new Map<string, string>();
const owner = new Map<string, string>();
const redeemed = new Map<string, number>();
let grants = 0;
let tooMany = 0;
let answered429 = 0;
const provider = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    const form = new URLSearchParams(body);
    const token = form.get("refresh_token") ?? "";
    const send = (status: number, json: object, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(json));
    if (tooMany > 0) {
      tooMany -= 1;
      answered429 += 1;
      return send(429, { error: "slow_down" }, { "retry-after": "2" });
    }
    redeemed.set(token, (redeemed.get(token) ?? 0) + 1);
    const account = owner.get(token);
    if (form.get("grant_type") !== "refresh_token" || !account || current.get(account) !== token) return send(400, { error: "invalid_grant" });
    grants += 1;
    const next = `rt-${randomBytes(16).toString("hex")}`;
    current.set(account, next);
    owner.set(next, account);
    send(200, { access_token: `at-${randomBytes(16).toString("hex")}`, token_type: "Bearer", expires_in: 7200, refresh_token: next });
  });
});
await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
const file = path.join(mkdtempSync(path.join(tmpdir(), "vault-scale-")), "providers.json");
writeFileSync(
  file,
  JSON.stringify({
    providers: [
      {
        key: "rotating",
        name: "Rotating",
        description: "A provider that rotates refresh tokens and counts every grant.",
        kind: "file",
        authorizationUrl: `${base}/authorize`,
        tokenUrl: `${base}/token`,
        scopes: [],
        tokenAuthMethod: "client_secret_post",
        apiBaseUrl: `${base}/api`,
        accountIdentity: { source: "token", idPath: "account", labelPath: "account" },
        supportsRefresh: true,
        clientId: "vault",
        clientSecret: "vault-secret",
      },
    ],
  }),
);
process.env.VAULT_PROVIDERS_FILE = file;

const database = await createPostgresDatabase();
const { startConnectWorld } = await import("@/lib/testing/connect-harness");
const world = await startConnectWorld({ databaseUrl: database.url });
const { startInstance } = await import("@/lib/testing/instances");
const { getDb } = await import("@/lib/db");
const { runRefreshSweep } = await import("./engine");
const { sealTokenSet, openTokenSet } = await import("@/lib/vault/crypto/token-set");
const { aadForConnection } = await import("@/lib/vault/crypto/aad");
const { getKeyRing } = await import("@/lib/vault/crypto/keyring");
const { revealSecret } = await import("@/lib/vault/crypto/secret");
const db = await getDb();
const { alice } = world.people;

const sweeper = await startInstance({}, "sweeper-main.ts");

afterAll(async () => {
  await sweeper.kill();
  await world.provider.close();
  await new Promise<void>((resolve) => provider.close(() => resolve()));
  await database.drop();
});

/** N connections of alice's at the provider, their access tokens expiring within the hour. */
async function plant(n: number, prefix: string): Promise<string[]> {
  const rows = Array.from({ length: n }, (_, i) => {
    const id = randomUUID();
    const account = `${prefix}-${i}`;
    const refresh = `rt-${randomBytes(16).toString("hex")}`;
    current.set(account, refresh);
    owner.set(refresh, account);
    const { blob, keyVersion } = sealTokenSet(getKeyRing(), aadForConnection({ id, tenantId: alice.tenantId, userId: alice.id }), {
      accessToken: `at-${randomBytes(16).toString("hex")}`,
      refreshToken: refresh,
      tokenType: "Bearer",
      expiresAt: Date.now() + 10 * 60_000,
    });
    return {
      id,
      tenantId: alice.tenantId,
      userId: alice.id,
      providerKey: "rotating",
      accountId: account,
      label: account,
      status: "active" as const,
      scopes: [],
      encBlob: blob,
      keyVersion,
      expiresAt: new Date(Date.now() + 10 * 60_000 + (i % 1000)),
    };
  });
  for (let i = 0; i < rows.length; i += 1000) await db.connection.createMany({ data: rows.slice(i, i + 1000) });
  return rows.map((r) => r.id);
}

async function storedRefresh(id: string): Promise<string> {
  const row = await db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true, encBlob: true } });
  const set = openTokenSet(getKeyRing(), aadForConnection(row), row.encBlob!);
  try {
    return revealSecret(set.refreshToken!);
  } finally {
    set.dispose();
  }
}

describe("the refresh engine at scale, two instances on PostgreSQL", () => {
  it(
    `refreshes ${N} connections once each, split between both instances, with no double and no lost refresh`,
    { timeout: Math.max(60_000, N * 40) },
    async () => {
      const ids = await plant(N, "scale");
      const grantsBefore = grants;
      const started = performance.now();
      type Swept = { refreshed: number; failed: number; checked: number };
      const [a, b] = (await Promise.all([runRefreshSweep(), sweeper.sweep()])) as [Swept, Swept];
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `refresh scale: ${N} connections in ${seconds.toFixed(1)} s by two instances (${a.refreshed} + ${b.refreshed}), ${grants - grantsBefore} grants`,
      );

      expect(a.failed + b.failed).toBe(0);
      expect(a.refreshed + b.refreshed).toBe(N);
      // Split between the instances, not queued behind each other.
      expect(Math.min(a.refreshed, b.refreshed)).toBeGreaterThan(0);
      expect(grants - grantsBefore).toBe(N);
      const doubles = [...redeemed.values()].filter((count) => count > 1).length;
      expect(doubles, "no refresh token was redeemed twice").toBe(0);
      // Nothing lost: every connection holds the provider's current refresh token, and is active again.
      const sample = ids.filter((_, i) => i % Math.max(1, Math.floor(N / 200)) === 0);
      for (const id of sample) {
        const account = (await db.connection.findUniqueOrThrow({ where: { id }, select: { accountId: true } })).accountId;
        expect(await storedRefresh(id)).toBe(current.get(account));
      }
      expect(await db.connection.count({ where: { providerKey: "rotating", status: "active", refreshLeaseOwner: null } })).toBe(N);
      expect(await db.connection.count({ where: { providerKey: "rotating", expiresAt: { lt: new Date(Date.now() + 60 * 60_000) } } })).toBe(0);
    },
  );

  it("a provider answering 429 with Retry-After is paused for it: the rest of the sweep leaves it alone", async () => {
    await plant(40, "slow");
    tooMany = 1;
    const before = answered429;
    const grantsBefore = grants;
    const result = await runRefreshSweep();
    expect(answered429 - before).toBe(1);
    expect(result.failed).toBe(1);
    // Paused for 2 s: nothing else was asked of it in this sweep (at most the refreshes already in flight).
    expect(grants - grantsBefore).toBeLessThanOrEqual(8);
    expect(result.skipped).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2_100));
    const later = await runRefreshSweep();
    expect(later.failed).toBe(0);
    expect(await db.connection.count({ where: { accountId: { startsWith: "slow-" }, expiresAt: { lt: new Date(Date.now() + 60 * 60_000) } } })).toBe(1);
  });
});
