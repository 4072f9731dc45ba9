import { randomBytes } from "node:crypto";
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";

import { resetEnvCache } from "@/lib/env";

import { VaultCryptoError } from "@/lib/vault/crypto/encryption";
import { getKeyRing, parseKeyRing, resetKeyRingCache, tenantKey } from "@/lib/vault/crypto/keyring";

const raw1 = randomBytes(32);
const raw2 = randomBytes(32);
const k1 = raw1.toString("base64");
const k2 = raw2.toString("base64");

describe("parseKeyRing", () => {
  it("parses versions and picks the highest as current", () => {
    const ring = parseKeyRing(` 2:${k2} , 1:${k1} `);
    expect(ring.versions).toEqual([1, 2]);
    expect(ring.current).toBe(2);
    expect(parseKeyRing(k1)).toMatchObject({ current: 1, versions: [1] });
    expect(parseKeyRing(`7:${raw1.toString("base64url")}`).current).toBe(7);
  });

  it.each([
    ["", /empty/],
    ["1:short", /version 1 is not 32 bytes/],
    [`1:${k1},1:${k2}`, /version 1 appears twice/],
    [`0:${k1}`, /start at 1/],
    [`v1:${k1}`, /each entry must look like/],
    [`1:${k1};2:${k2}`, /each entry must look like/],
  ])("rejects %j with a sentence", (spec, reason) => {
    expect(() => parseKeyRing(spec)).toThrow(reason);
    try {
      parseKeyRing(spec);
    } catch (e) {
      expect((e as Error).message).toMatch(/^The master key ring \(VAULT_MASTER_KEY\) is malformed: .+\.$/);
      expect((e as Error).message).not.toContain(k1);
    }
  });

  it("never shows key bytes through inspect, JSON, spreading or key enumeration", () => {
    const ring = parseKeyRing(`1:${k1},2:${k2}`);
    const outputs = [
      inspect(ring, { showHidden: true, depth: 10, getters: true }),
      JSON.stringify(ring),
      JSON.stringify({ ...ring }),
      String(Object.getOwnPropertyNames(ring)),
      String(Object.getOwnPropertySymbols(ring).length),
      inspect(structuredClone(ring)),
    ];
    for (const out of outputs) {
      for (const bytes of [raw1, raw2]) {
        expect(out).not.toContain(bytes.toString("base64"));
        expect(out).not.toContain(bytes.toString("hex"));
      }
    }
    expect(JSON.parse(JSON.stringify(ring))).toEqual({ current: 2, versions: [1, 2] });
    expect(Object.isFrozen(ring) && Object.isFrozen(ring.versions)).toBe(true);
  });
});

describe("tenantKey", () => {
  const ring = parseKeyRing(`1:${k1},2:${k2}`);

  it("derives a stable 32-byte key per tenant and version, different from the master key", () => {
    const a1 = tenantKey(ring, 1, "tenant-a");
    expect(a1.length).toBe(32);
    expect(tenantKey(ring, 1, "tenant-a").equals(a1)).toBe(true);
    expect(tenantKey(parseKeyRing(`1:${k1}`), 1, "tenant-a").equals(a1)).toBe(true);
    expect(tenantKey(ring, 1, "tenant-b").equals(a1)).toBe(false);
    expect(tenantKey(ring, 2, "tenant-a").equals(a1)).toBe(false);
    expect(a1.equals(raw1)).toBe(false);
  });

  it("throws unknown_key_version for a version the ring lacks", () => {
    expect(() => tenantKey(ring, 3, "tenant-a")).toThrow(VaultCryptoError);
    expect(() => tenantKey(ring, 3, "tenant-a")).toThrow(/master key version 3, which VAULT_MASTER_KEY no longer holds \(it has 1, 2\)/);
  });

  it("refuses a ring it did not build and an empty tenant", () => {
    expect(() => tenantKey({ current: 1, versions: [1] }, 1, "t")).toThrow(/not created by parseKeyRing/);
    expect(() => tenantKey(ring, 1, "")).toThrow(/tenant id/);
  });
});

describe("getKeyRing", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetEnvCache();
    resetKeyRingCache();
  });

  it("reads VAULT_MASTER_KEY through env(), caches, and follows a reset", () => {
    vi.stubEnv("VAULT_MODE", "demo");
    vi.stubEnv("NEXTAUTH_SECRET", "x".repeat(40));
    vi.stubEnv("VAULT_MASTER_KEY", `1:${k1}`);
    resetEnvCache();
    resetKeyRingCache();
    const first = getKeyRing();
    expect(first.versions).toEqual([1]);
    expect(getKeyRing()).toBe(first);

    vi.stubEnv("VAULT_MASTER_KEY", `1:${k1},2:${k2}`);
    resetEnvCache();
    expect(getKeyRing().current).toBe(2);
  });
});
