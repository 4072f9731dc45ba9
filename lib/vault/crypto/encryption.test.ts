import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";

import { blobKeyVersion, decrypt, encrypt, VaultCryptoError, type AadContext } from "@/lib/vault/crypto/encryption";
import { parseKeyRing, type KeyRing } from "@/lib/vault/crypto/keyring";

const k1 = randomBytes(32).toString("base64");
const k2 = randomBytes(32).toString("base64");
const k3 = randomBytes(32).toString("base64");
const ring1 = parseKeyRing(`1:${k1}`);
const ring12 = parseKeyRing(`1:${k1},2:${k2}`);
const ctx: AadContext = { tenantId: "tenant-a", userId: "user-1", rowId: "conn-1", purpose: "connection.tokens" };
const tokens = JSON.stringify({ access_token: "gho_live_access_123456", refresh_token: "ghr_live_refresh_654321" });

function expectCryptoError(fn: () => unknown, code: VaultCryptoError["code"]): VaultCryptoError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VaultCryptoError);
    expect((e as VaultCryptoError).code).toBe(code);
    return e as VaultCryptoError;
  }
  throw new Error(`expected a VaultCryptoError ${code}, nothing was thrown`);
}

describe("encrypt/decrypt", () => {
  it("round-trips a string and binary data", () => {
    const { blob, keyVersion } = encrypt(ring1, ctx, tokens);
    expect(keyVersion).toBe(1);
    expect(decrypt(ring1, ctx, blob).toString("utf8")).toBe(tokens);

    const bytes = randomBytes(1000);
    const bin = encrypt(ring1, { ...ctx, purpose: "signing.private_key" }, bytes);
    expect(decrypt(ring1, { ...ctx, purpose: "signing.private_key" }, bin.blob).equals(bytes)).toBe(true);

    const empty = encrypt(ring1, ctx, "");
    expect(decrypt(ring1, ctx, empty.blob).length).toBe(0);
  });

  it("lays out header, nonce, ciphertext and tag, and never contains the plaintext", () => {
    const { blob } = encrypt(ring12, ctx, tokens);
    expect(blob[0]).toBe(1);
    expect(blobKeyVersion(blob)).toBe(2);
    expect(blob.length).toBe(5 + 12 + Buffer.byteLength(tokens) + 16);
    expect(Buffer.from(blob).includes(Buffer.from("gho_live_access"))).toBe(false);
  });

  it("uses a fresh nonce: two encryptions of the same value differ", () => {
    const a = encrypt(ring1, ctx, tokens).blob;
    const b = encrypt(ring1, ctx, tokens).blob;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(Buffer.from(a.subarray(5, 17)).equals(Buffer.from(b.subarray(5, 17)))).toBe(false);
  });

  it.each([
    ["row id", { rowId: "conn-2" }],
    ["tenant", { tenantId: "tenant-b" }],
    ["user", { userId: "user-2" }],
    ["purpose", { purpose: "provider.client_secret" as const }],
  ])("does not decrypt a blob moved to another %s", (_what, change) => {
    const { blob } = encrypt(ring1, ctx, tokens);
    const err = expectCryptoError(() => decrypt(ring1, { ...ctx, ...change }, blob), "integrity");
    expect(err.message).toMatch(/does not belong to this record or was altered/);
  });

  it("keeps field boundaries unambiguous (no concatenation collisions)", () => {
    const { blob } = encrypt(ring1, { ...ctx, tenantId: "ab", userId: "c" }, tokens);
    expectCryptoError(() => decrypt(ring1, { ...ctx, tenantId: "a", userId: "bc" }, blob), "integrity");
  });

  it("fails on a flipped bit anywhere: header, nonce, ciphertext, tag", () => {
    const { blob } = encrypt(ring1, ctx, tokens);
    const positions = {
      format: 0,
      version: 4,
      nonce: 5,
      nonceEnd: 16,
      ciphertext: 17,
      ciphertextEnd: blob.length - 17,
      tag: blob.length - 16,
      tagEnd: blob.length - 1,
    };
    for (const [where, index] of Object.entries(positions)) {
      for (const bit of [0, 7]) {
        const tampered = Uint8Array.from(blob);
        tampered[index]! ^= 1 << bit;
        expect(() => decrypt(ring1, ctx, tampered), `${where} bit ${bit}`).toThrow(VaultCryptoError);
      }
    }
    // Every byte, one bit each, for good measure.
    for (let i = 0; i < blob.length; i++) {
      const tampered = Uint8Array.from(blob);
      tampered[i]! ^= 0x10;
      expect(() => decrypt(ring1, ctx, tampered), `byte ${i}`).toThrow(VaultCryptoError);
    }
  });

  it("binds the header: pointing a blob at another existing key version fails the integrity check", () => {
    // Version 1 and 3 differ in one bit (0b01 -> 0b11), both are in the ring. The per-version HKDF info
    // already makes this fail; the header in the AAD is the second, independent guard.
    const ring13 = parseKeyRing(`1:${k1},3:${k3}`);
    const v1Only = parseKeyRing(`1:${k1}`);
    const { blob } = encrypt(v1Only, ctx, tokens);
    const tampered = Uint8Array.from(blob);
    tampered[4]! ^= 0b10;
    expect(blobKeyVersion(tampered)).toBe(3);
    expectCryptoError(() => decrypt(ring13, ctx, tampered), "integrity");
  });

  it("rejects a truncated or foreign blob as malformed", () => {
    const { blob } = encrypt(ring1, ctx, tokens);
    for (const len of [0, 4, 5, 20, 32]) expectCryptoError(() => decrypt(ring1, ctx, blob.subarray(0, len)), "malformed");
    const foreign = Uint8Array.from(blob);
    foreign[0] = 2;
    expectCryptoError(() => decrypt(ring1, ctx, foreign), "malformed");
    // Cutting the tail off a long blob is still detected (by the tag).
    expect(() => decrypt(ring1, ctx, blob.subarray(0, blob.length - 1))).toThrow(VaultCryptoError);
  });

  it("works on a blob that is a view into a larger buffer (as database drivers return)", () => {
    const { blob } = encrypt(ring1, ctx, tokens);
    const big = new Uint8Array(blob.length + 10);
    big.set(blob, 7);
    expect(decrypt(ring1, ctx, big.subarray(7, 7 + blob.length)).toString()).toBe(tokens);
  });

  it("refuses an empty context field or an unknown purpose", () => {
    expect(() => encrypt(ring1, { ...ctx, rowId: "" }, tokens)).toThrow(/rowId/);
    expect(() => encrypt(ring1, { ...ctx, purpose: "other" as never }, tokens)).toThrow(/purpose/);
  });
});

describe("key versions", () => {
  it("fails clearly on a version the ring does not hold", () => {
    const ring3 = parseKeyRing(`3:${k3}`);
    const { blob } = encrypt(ring3, ctx, tokens);
    const err = expectCryptoError(() => decrypt(ring12, ctx, blob), "unknown_key_version");
    expect(err.message).toBe(
      "This value was encrypted with master key version 3, which VAULT_MASTER_KEY no longer holds (it has 1, 2): restore that version or re-encrypt before retiring it.",
    );
  });

  it("encrypts under the newest version and still decrypts older blobs; retiring a version fails clearly", () => {
    const old = encrypt(ring1, ctx, tokens);
    expect(old.keyVersion).toBe(1);
    const fresh = encrypt(ring12, ctx, tokens);
    expect(fresh.keyVersion).toBe(2);
    expect(blobKeyVersion(fresh.blob)).toBe(2);
    expect(decrypt(ring12, ctx, old.blob).toString()).toBe(tokens);
    expect(decrypt(ring12, ctx, fresh.blob).toString()).toBe(tokens);

    const retired: KeyRing = parseKeyRing(`2:${k2}`);
    expect(decrypt(retired, ctx, fresh.blob).toString()).toBe(tokens);
    const err = expectCryptoError(() => decrypt(retired, ctx, old.blob), "unknown_key_version");
    expect(err.message).toContain("master key version 1, which VAULT_MASTER_KEY no longer holds (it has 2)");
  });

  it("does not decrypt with a different key under the same version number", () => {
    const { blob } = encrypt(ring1, ctx, tokens);
    const impostor = parseKeyRing(`1:${k2}`);
    expectCryptoError(() => decrypt(impostor, ctx, blob), "integrity");
  });
});
