import "server-only";
// The fingerprint the portal shows for a pasted credential: a keyed hash (HMAC-SHA-256 under a key
// derived from the tenant's current data key), so it tells two keys apart and recognises the same
// key pasted again, yet confirms nothing to someone who holds the database and guesses keys offline.
import { createHmac } from "node:crypto";

import type { KeyRing } from "@/lib/vault/crypto/keyring";
import { tenantKey } from "@/lib/vault/crypto/keyring";

const LABEL = "vault.credential-fingerprint.v1";

/** Sixteen hex digits in groups of four (`3f9a:0c1d:77e2:b410`), over the fields in name order. */
export function credentialFingerprint(ring: KeyRing, tenantId: string, fields: Readonly<Record<string, string>>): string {
  const mac = createHmac("sha256", tenantKey(ring, ring.current, tenantId)).update(LABEL);
  for (const name of Object.keys(fields).sort()) mac.update(`\u0000${name}\u0000${fields[name]}`);
  return (mac.digest("hex").slice(0, 16).match(/.{4}/g) ?? []).join(":");
}
