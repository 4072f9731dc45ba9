import "server-only";
// The versioned master key ring. Key bytes live in a module-private WeakMap, so a KeyRing object can
// be logged, inspected or serialized without exposing anything but its version numbers.
import { hkdfSync } from "node:crypto";

import { env } from "@/lib/env";
import { checkKeyRingSpec } from "@/lib/env/schema";

import { VaultCryptoError } from "@/lib/vault/crypto/errors";

export type KeyRing = { readonly current: number; readonly versions: readonly number[] };

type RingSecrets = { masters: Map<number, Buffer>; derived: Map<string, Buffer> };

const secrets = new WeakMap<KeyRing, RingSecrets>();

// Changing the salt or info labels makes every stored ciphertext undecryptable: they are part of the
// storage format, not tunables.
const HKDF_SALT = Buffer.from("token-vault/tenant-key/salt/v1", "utf8");
const HKDF_LABEL = "token-vault/aes-256-gcm/tenant-key/v1";
// Tenants are few; the bound only guards against a caller that invents tenant ids.
const MAX_DERIVED = 10_000;

/** Parses "1:<base64>,2:<base64>" (a bare key is version 1). Errors never quote key material. */
export function parseKeyRing(spec: string): KeyRing {
  if (typeof spec !== "string") throw new Error("The master key ring is missing: set VAULT_MASTER_KEY to `1:<base64 of 32 random bytes>`.");
  const problem = checkKeyRingSpec(spec);
  if (problem) throw new Error(`The master key ring (VAULT_MASTER_KEY) is malformed: ${problem}.`);
  const masters = new Map<number, Buffer>();
  for (const entry of spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const colon = entry.indexOf(":");
    const version = colon === -1 ? 1 : Number(entry.slice(0, colon));
    masters.set(version, Buffer.from(colon === -1 ? entry : entry.slice(colon + 1), "base64"));
  }
  const versions = Object.freeze([...masters.keys()].sort((a, b) => a - b));
  const ring: KeyRing = Object.freeze({ current: versions[versions.length - 1]!, versions });
  secrets.set(ring, { masters, derived: new Map() });
  return ring;
}

let cached: { spec: string; ring: KeyRing } | null = null;

/** The ring from VAULT_MASTER_KEY; re-parsed when the env cache has been reset to a different spec. */
export function getKeyRing(): KeyRing {
  const spec = env().masterKey;
  if (cached?.spec !== spec) cached = { spec, ring: parseKeyRing(spec) };
  return cached.ring;
}

export function resetKeyRingCache(): void {
  cached = null;
}

export function unknownVersionError(ring: KeyRing, version: number): VaultCryptoError {
  return new VaultCryptoError(
    "unknown_key_version",
    `This value was encrypted with master key version ${version}, which VAULT_MASTER_KEY no longer holds (it has ${ring.versions.join(", ")}): restore that version or re-encrypt before retiring it.`,
  );
}

/** The 32-byte AES key of one tenant under one master key version. The returned buffer is shared: do not modify it. */
export function tenantKey(ring: KeyRing, version: number, tenantId: string): Buffer {
  const held = secrets.get(ring);
  if (!held) throw new Error("This key ring was not created by parseKeyRing, so it holds no keys.");
  if (typeof tenantId !== "string" || tenantId.length === 0) throw new Error("A tenant id is required to derive a tenant key.");
  const cacheKey = `${version}\u0000${tenantId}`;
  const hit = held.derived.get(cacheKey);
  if (hit) return hit;
  const master = held.masters.get(version);
  if (!master) throw unknownVersionError(ring, version);
  const info = lengthPrefixed([HKDF_LABEL, String(version), tenantId]);
  const key = Buffer.from(hkdfSync("sha256", master, HKDF_SALT, info, 32));
  if (held.derived.size >= MAX_DERIVED) held.derived.clear();
  held.derived.set(cacheKey, key);
  return key;
}

function lengthPrefixed(parts: string[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const bytes = Buffer.from(p, "utf8");
    const len = Buffer.alloc(4);
    len.writeUInt32BE(bytes.length);
    chunks.push(len, bytes);
  }
  return Buffer.concat(chunks);
}
