// The vault's signing keys: created once on first use (also when asked concurrently), stored
// encrypted and bound to their kid, rotated by hand or at 30 days with the old key still verifying
// while it retires, then dropped from the JWKS and from trust; a master key rotation re-encrypts
// them and signing carries on with the same key.
import { randomBytes } from "node:crypto";

import { createLocalJWKSet, jwtVerify } from "jose";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { startConnectWorld } from "@/lib/testing/connect-harness";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { env, resetEnvCache } = await import("@/lib/env");
const keys = await import("@/lib/vault/signing/signing-keys");
const { aadForSigningKey } = await import("@/lib/vault/crypto/aad");
const { decrypt } = await import("@/lib/vault/crypto/encryption");
const { getKeyRing, resetKeyRingCache } = await import("@/lib/vault/crypto/keyring");
const { rotateAllCredentials } = await import("@/lib/vault/crypto/rotation");

const db = await getDb();

afterAll(async () => {
  await world.provider.close();
});

beforeEach(async () => {
  await db.signingKey.deleteMany({});
  keys.resetSigningKeyCache();
});

const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;
const sign = (claims: Record<string, unknown> = {}) => keys.signVaultJwt({ sub: "s", iat: Math.floor(Date.now() / 1000), ...claims }, { typ: "at+jwt" });
const verify = (token: string) => jwtVerify(token, keys.vaultVerificationKey, { algorithms: [...keys.VAULT_VERIFY_ALGS], typ: "at+jwt" });
const kids = async () => (await keys.vaultPublicJwks()).keys.map((k) => k.kid).sort();

describe("signing keys", () => {
  it("creates one Ed25519 key on first use, stores only the public half in clear, and binds the private half to its kid", async () => {
    const token = await sign();
    const rows = await db.signingKey.findMany({ select: { kid: true, alg: true, status: true, publicJwk: true, encBlob: true } });
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ kid: kidOf(token), alg: "EdDSA", status: "active" });
    expect(row.publicJwk).not.toHaveProperty("d");
    const plain = decrypt(getKeyRing(), aadForSigningKey(row), row.encBlob);
    const jwk = JSON.parse(plain.toString()) as { d: string; crv: string };
    expect(jwk.crv).toBe("Ed25519");
    expect(Buffer.from(row.encBlob).includes(Buffer.from(jwk.d))).toBe(false);
    // Copied under another kid, the ciphertext does not decrypt.
    expect(() => decrypt(getKeyRing(), aadForSigningKey({ kid: "another" }), row.encBlob)).toThrow(/does not belong/);

    const jwks = await keys.vaultPublicJwks();
    expect(jwks.keys).toEqual([{ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid: row.kid, alg: "EdDSA", use: "sig" }]);
    await jwtVerify(token, createLocalJWKSet(jwks), { typ: "at+jwt" });
  });

  it("creates a single key when many callers ask at once", async () => {
    const made = await Promise.all(Array.from({ length: 5 }, () => keys.ensureActiveKey(db, { force: false })));
    expect(new Set(made).size).toBe(1);
    expect(await db.signingKey.count({ where: { status: "active" } })).toBe(1);
    await Promise.all(Array.from({ length: 5 }, () => sign()));
    expect(await db.signingKey.count()).toBe(1);
  });

  it("rotates: the new key signs, the old one retires yet still verifies, and the JWKS lists both", async () => {
    const before = await sign();
    const oldKid = kidOf(before);
    const { kid: newKid } = await keys.rotateSigningKey();
    expect(newKid).not.toBe(oldKid);
    const after = await sign();
    expect(kidOf(after)).toBe(newKid);
    expect(await kids()).toEqual([oldKid, newKid].sort());
    await verify(before);
    await verify(after);
    const old = await db.signingKey.findUniqueOrThrow({ where: { kid: oldKid } });
    expect(old.status).toBe("retiring");
    expect(old.retiredAt!.getTime()).toBeGreaterThanOrEqual(Date.now() + keys.MAX_ISSUED_TOKEN_SECONDS * 1000);

    // A process that had cached the old state learns about the rotation on its own.
    keys.resetSigningKeyCache();
    await verify(before);
  });

  it("retires a retiring key once its window has passed: no longer trusted for tokens, still published for receipts", async () => {
    const before = await sign();
    const oldKid = kidOf(before);
    const { kid: newKid } = await keys.rotateSigningKey();
    await db.signingKey.update({ where: { kid: oldKid }, data: { retiredAt: new Date(Date.now() - 1000) } });
    keys.resetSigningKeyCache();
    await sign();
    expect((await db.signingKey.findUniqueOrThrow({ where: { kid: oldKid } })).status).toBe("retired");
    expect((await kids()).sort()).toEqual([newKid, oldKid].sort());
    await expect(verify(before)).rejects.toMatchObject({ name: "SigningKeyError", code: "kid_retired" });
    // A receipt signed by the old key still checks out against the published set.
    await jwtVerify(before, createLocalJWKSet(await keys.vaultPublicJwks()));
    // ...until the publishing period is over.
    await db.signingKey.update({ where: { kid: oldKid }, data: { retiredAt: new Date(Date.now() - keys.RECEIPT_KEY_PUBLISH_MS - 1000) } });
    keys.resetSigningKeyCache();
    expect(await kids()).toEqual([newKid]);
  });

  it("does not trust a retiring key past its window even before the sweep marks it retired", async () => {
    const before = await sign();
    await keys.rotateSigningKey();
    await db.signingKey.update({ where: { kid: kidOf(before) }, data: { retiredAt: new Date(Date.now() - 1000) } });
    keys.resetSigningKeyCache();
    await expect(verify(before)).rejects.toMatchObject({ code: "kid_retired" });
  });

  it("rotates on its own when the active key is older than 30 days", async () => {
    const oldKid = kidOf(await sign());
    await db.signingKey.update({ where: { kid: oldKid }, data: { createdAt: new Date(Date.now() - keys.SIGNING_KEY_MAX_AGE_MS - 60_000) } });
    keys.resetSigningKeyCache();
    const fresh = await sign();
    expect(kidOf(fresh)).not.toBe(oldKid);
    expect((await db.signingKey.findUniqueOrThrow({ where: { kid: oldKid } })).status).toBe("retiring");
    expect(await db.signingKey.count({ where: { status: "active" } })).toBe(1);
  });

  it("keeps signing with the same key after a master key rotation re-encrypted it", async () => {
    const kid = kidOf(await sign());
    const spec = env().masterKey;
    const version = Math.max(...getKeyRing().versions) + 1;
    process.env.VAULT_MASTER_KEY = `${spec},${version}:${randomBytes(32).toString("base64")}`;
    resetEnvCache();
    resetKeyRingCache();
    try {
      const result = await rotateAllCredentials(db, getKeyRing());
      expect(result.byTable.SigningKey).toMatchObject({ reencrypted: 1, failed: 0 });
      expect((await db.signingKey.findUniqueOrThrow({ where: { kid } })).keyVersion).toBe(version);
      keys.resetSigningKeyCache();
      const token = await sign();
      expect(kidOf(token)).toBe(kid);
      await verify(token);
    } finally {
      delete process.env.VAULT_MASTER_KEY;
      resetEnvCache();
      resetKeyRingCache();
    }
  });
});
