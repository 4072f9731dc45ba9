// Key rotation: every stored ciphertext moves to the newest master key version, still decrypts to
// the same plaintext, no longer needs the old version, and a row rewritten meanwhile is left alone.
import { randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import type { DbHandle, VaultPrismaClient } from "@/lib/db";
import { createTestDatabase, DB_KINDS } from "@/lib/testing/db";

import { aadForConnection, aadForPendingAuthorization, aadForProviderRegistration, aadForSigningKey, aadForWebhook } from "@/lib/vault/crypto/aad";
import { type AadContext, blobKeyVersion, decrypt, encrypt, VaultCryptoError } from "@/lib/vault/crypto/encryption";
import { parseKeyRing } from "@/lib/vault/crypto/keyring";
import { countByKeyVersion, rotateAllCredentials } from "@/lib/vault/crypto/rotation";

const k1 = `1:${randomBytes(32).toString("base64")}`;
const k2 = `2:${randomBytes(32).toString("base64")}`;
const ring1 = parseKeyRing(k1);
const ring12 = parseKeyRing(`${k1},${k2}`);
const ring2 = parseKeyRing(k2);

const PLAIN = {
  connection: '{"access_token":"gho_secret","refresh_token":"ghr_secret"}',
  registration: "client-secret-value",
  pending: "pkce-verifier-value",
  signing: '{"kty":"EC","d":"private"}',
  webhook: "whsec_signing-secret",
};

type Blobs = { connection: Uint8Array; registration: Uint8Array; pending: Uint8Array; signing: Uint8Array; webhook: Uint8Array };

async function readBlobs(prisma: VaultPrismaClient, connectionId = "c1"): Promise<Blobs & { rows: { connection: { keyVersion: number | null } } }> {
  const c = await prisma.connection.findUniqueOrThrow({ where: { id: connectionId }, select: { encBlob: true, keyVersion: true } });
  const r = await prisma.providerRegistration.findUniqueOrThrow({ where: { id: "p1" }, select: { encBlob: true } });
  const p = await prisma.pendingAuthorization.findUniqueOrThrow({ where: { id: "a1" }, select: { encBlob: true } });
  const s = await prisma.signingKey.findUniqueOrThrow({ where: { kid: "k1" }, select: { encBlob: true } });
  const w = await prisma.webhook.findUniqueOrThrow({ where: { id: "w1" }, select: { encBlob: true } });
  return {
    connection: c.encBlob!,
    registration: r.encBlob!,
    pending: p.encBlob,
    signing: s.encBlob,
    webhook: w.encBlob,
    rows: { connection: { keyVersion: c.keyVersion } },
  };
}

const ctx: Record<keyof Blobs, AadContext> = {
  connection: aadForConnection({ id: "c1", tenantId: "t1", userId: "u1" }),
  registration: aadForProviderRegistration({ id: "p1", tenantId: "t1" }),
  pending: aadForPendingAuthorization({ id: "a1", tenantId: "t1", userId: "u1" }),
  signing: aadForSigningKey({ kid: "k1" }),
  webhook: aadForWebhook({ id: "w1", tenantId: "t1" }),
};

async function seed(prisma: VaultPrismaClient): Promise<void> {
  const enc = (which: keyof Blobs) => encrypt(ring1, ctx[which], PLAIN[which]);
  await prisma.tenant.create({ data: { id: "t1", name: "Tenant" } });
  await prisma.user.create({ data: { id: "u1", tenantId: "t1", arn: "auth:account:t1:u1", email: "u1@example.test", name: "U" } });
  const c = enc("connection");
  await prisma.connection.create({
    data: {
      id: "c1",
      tenantId: "t1",
      userId: "u1",
      providerKey: "github",
      accountId: "42",
      label: "GitHub",
      scopes: ["repo"],
      encBlob: c.blob,
      keyVersion: c.keyVersion,
    },
  });
  // A revoked connection whose ciphertext was wiped: nothing to rotate.
  await prisma.connection.create({ data: { id: "c0", tenantId: "t1", userId: "u1", providerKey: "jira", accountId: "7", label: "Jira", status: "revoked" } });
  const r = enc("registration");
  await prisma.providerRegistration.create({ data: { id: "p1", tenantId: "t1", key: "github", clientId: "cid", encBlob: r.blob, keyVersion: r.keyVersion } });
  const p = enc("pending");
  await prisma.pendingAuthorization.create({
    data: {
      id: "a1",
      tenantId: "t1",
      userId: "u1",
      providerKey: "github",
      stateHash: "h",
      sessionBinding: "s",
      encBlob: p.blob,
      keyVersion: p.keyVersion,
      nonce: "n",
      scopes: ["repo"],
      expiresAt: new Date(Date.now() + 300_000),
    },
  });
  const s = enc("signing");
  await prisma.signingKey.create({ data: { kid: "k1", alg: "ES256", publicJwk: { kty: "EC" }, encBlob: s.blob, keyVersion: s.keyVersion } });
  const w = enc("webhook");
  await prisma.webhook.create({
    data: {
      id: "w1",
      tenantId: "t1",
      url: "https://hooks.example/x",
      eventTypes: ["alert"],
      encBlob: w.blob,
      keyVersion: w.keyVersion,
      cursorSeq: 0,
      createdBy: "u1",
    },
  });
}

describe.each(DB_KINDS)("key rotation on %s", (kind) => {
  let db: DbHandle;
  beforeEach(async () => {
    db = await createTestDatabase(kind);
    await seed(db.prisma);
  });
  afterEach(async () => db?.close());

  it("re-encrypts every blob under the newest version, with the same plaintext, readable without the old key", async () => {
    const before = await readBlobs(db.prisma);
    for (const which of Object.keys(ctx) as (keyof Blobs)[]) expect(blobKeyVersion(before[which])).toBe(1);
    expect(await countByKeyVersion(db.prisma)).toEqual({
      Connection: { "1": 1 },
      ProviderRegistration: { "1": 1 },
      PendingAuthorization: { "1": 1 },
      SigningKey: { "1": 1 },
      Webhook: { "1": 1 },
    });

    const progress: string[] = [];
    const result = await rotateAllCredentials(db.prisma, ring12, { batchSize: 1, onProgress: (table) => progress.push(table) });
    expect(result).toMatchObject({ scanned: 5, reencrypted: 5, skippedConcurrent: 0, failed: 0, failures: [] });
    for (const t of ["Connection", "ProviderRegistration", "PendingAuthorization", "SigningKey", "Webhook"] as const) {
      expect(result.byTable[t]).toEqual({ scanned: 1, reencrypted: 1, skippedConcurrent: 0, failed: 0 });
      expect(progress).toContain(t);
    }

    const after = await readBlobs(db.prisma);
    expect(after.rows.connection.keyVersion).toBe(2);
    for (const which of Object.keys(ctx) as (keyof Blobs)[]) {
      expect(blobKeyVersion(after[which])).toBe(2);
      expect(Buffer.from(after[which])).not.toEqual(Buffer.from(before[which]));
      expect(decrypt(ring12, ctx[which], after[which]).toString("utf8")).toBe(PLAIN[which]);
      // Version 1 can now be retired: a ring holding only version 2 reads everything.
      expect(decrypt(ring2, ctx[which], after[which]).toString("utf8")).toBe(PLAIN[which]);
    }
    // And the old ring alone can no longer read them: the rotation really changed keys.
    expect(() => decrypt(ring1, ctx.connection, after.connection)).toThrow(VaultCryptoError);
    expect(await countByKeyVersion(db.prisma)).toEqual({
      Connection: { "2": 1 },
      ProviderRegistration: { "2": 1 },
      PendingAuthorization: { "2": 1 },
      SigningKey: { "2": 1 },
      Webhook: { "2": 1 },
    });
  });

  it("is a no-op when everything is already under the current version", async () => {
    await rotateAllCredentials(db.prisma, ring12);
    const again = await rotateAllCredentials(db.prisma, ring12);
    expect(again).toMatchObject({ scanned: 0, reencrypted: 0, skippedConcurrent: 0, failed: 0 });
  });

  it("keeps the connection's updatedAt: a rotation is not a change to the connection", async () => {
    const before = await db.prisma.connection.findUniqueOrThrow({ where: { id: "c1" } });
    await rotateAllCredentials(db.prisma, ring12);
    const after = await db.prisma.connection.findUniqueOrThrow({ where: { id: "c1" } });
    expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
  });

  it("skips, never clobbers, a row a live instance rewrote during the sweep", async () => {
    const { prisma } = db;
    // A live instance still on ring {1} refreshes the connection's tokens while the sweep runs. The
    // write lands after the sweep read the row and before it swaps the blob, so both the key version
    // (still 1) and the row id match: only the ciphertext comparison can notice.
    const refreshed = '{"access_token":"gho_NEW","refresh_token":"ghr_NEW"}';
    let interfered = false;
    const spy: VaultPrismaClient = new Proxy(prisma, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop !== "connection") return value;
        return new Proxy(value as object, {
          get(model, method, r) {
            const fn = Reflect.get(model, method, r);
            if (method !== "updateMany" || typeof fn !== "function") return typeof fn === "function" ? fn.bind(model) : fn;
            return async (args: unknown) => {
              if (!interfered) {
                interfered = true;
                const { blob, keyVersion } = encrypt(ring1, ctx.connection, refreshed);
                await prisma.connection.update({ where: { id: "c1" }, data: { encBlob: blob, keyVersion } });
              }
              return (fn as (a: unknown) => Promise<unknown>).call(model, args);
            };
          },
        });
      },
    });

    const result = await rotateAllCredentials(spy, ring12);
    expect(interfered).toBe(true);
    expect(result.byTable.Connection).toEqual({ scanned: 1, reencrypted: 0, skippedConcurrent: 1, failed: 0 });
    expect(result.reencrypted).toBe(4);

    const row = await prisma.connection.findUniqueOrThrow({ where: { id: "c1" }, select: { encBlob: true, keyVersion: true } });
    expect(row.keyVersion).toBe(1);
    expect(decrypt(ring12, ctx.connection, row.encBlob!).toString("utf8")).toBe(refreshed);

    // The next sweep picks the skipped row up.
    const next = await rotateAllCredentials(prisma, ring12);
    expect(next.byTable.Connection).toEqual({ scanned: 1, reencrypted: 1, skippedConcurrent: 0, failed: 0 });
    const final = await prisma.connection.findUniqueOrThrow({ where: { id: "c1" }, select: { encBlob: true } });
    expect(decrypt(ring2, ctx.connection, final.encBlob!).toString("utf8")).toBe(refreshed);
  });

  it("counts a blob it cannot decrypt as failed, names the row, and carries on", async () => {
    // A blob moved from another row: its AAD does not match this row, so it cannot be decrypted here.
    const foreign = encrypt(ring1, aadForConnection({ id: "other", tenantId: "t1", userId: "u1" }), "x");
    await db.prisma.connection.update({ where: { id: "c1" }, data: { encBlob: foreign.blob } });
    const result = await rotateAllCredentials(db.prisma, ring12);
    expect(result.byTable.Connection).toMatchObject({ scanned: 1, failed: 1, reencrypted: 0 });
    expect(result.failures).toEqual([{ table: "Connection", rowId: "c1", reason: expect.stringContaining("does not belong to this record") }]);
    expect(result.reencrypted).toBe(4);
  });
});
