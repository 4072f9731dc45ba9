import "server-only";
// Envelope format of every credential at rest:
//   [format 0x01][key version uint32 BE][nonce 12][ciphertext][tag 16]
// The AAD binds the ciphertext to its tenant, user, row and purpose, and to the header itself, so a
// blob copied to another row, or a header edited to point at another key version, does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { VaultCryptoError } from "@/lib/vault/crypto/errors";
import { tenantKey, unknownVersionError, type KeyRing } from "@/lib/vault/crypto/keyring";

export type Purpose = "connection.tokens" | "provider.client_secret" | "pending.pkce" | "signing.private_key" | "webhook.secret";
export type AadContext = { tenantId: string; userId: string; rowId: string; purpose: Purpose };

export { VaultCryptoError, type VaultCryptoErrorCode } from "@/lib/vault/crypto/errors";

const FORMAT_V1 = 0x01;
const HEADER_LENGTH = 5;
const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const MIN_BLOB_LENGTH = HEADER_LENGTH + NONCE_LENGTH + TAG_LENGTH;
const AAD_LABEL = "token-vault/aad/v1";
const PURPOSES: ReadonlySet<string> = new Set<Purpose>([
  "connection.tokens",
  "provider.client_secret",
  "pending.pkce",
  "signing.private_key",
  "webhook.secret",
]);

export function encrypt(ring: KeyRing, ctx: AadContext, plaintext: Uint8Array | string): { blob: Uint8Array<ArrayBuffer>; keyVersion: number } {
  const keyVersion = ring.current;
  const key = tenantKey(ring, keyVersion, ctx.tenantId);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt8(FORMAT_V1, 0);
  header.writeUInt32BE(keyVersion, 1);
  const nonce = randomBytes(NONCE_LENGTH);
  const input = typeof plaintext === "string" ? Buffer.from(plaintext, "utf8") : plaintext;

  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad(ctx, header));
  const body = cipher.update(input);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  // A copy we made from a string is ours to wipe; the caller's bytes are the caller's.
  if (typeof plaintext === "string") (input as Buffer).fill(0);

  const blob = new Uint8Array(HEADER_LENGTH + NONCE_LENGTH + body.length + tail.length + TAG_LENGTH);
  let at = 0;
  for (const part of [header, nonce, body, tail, tag]) {
    blob.set(part, at);
    at += part.length;
  }
  return { blob, keyVersion };
}

/** Returns the plaintext bytes; callers should `fill(0)` them once the value is wrapped or used. */
export function decrypt(ring: KeyRing, ctx: AadContext, blob: Uint8Array): Buffer {
  const version = blobKeyVersion(blob);
  if (!ring.versions.includes(version)) throw unknownVersionError(ring, version);
  const key = tenantKey(ring, version, ctx.tenantId);
  const bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const header = bytes.subarray(0, HEADER_LENGTH);
  const nonce = bytes.subarray(HEADER_LENGTH, HEADER_LENGTH + NONCE_LENGTH);
  const body = bytes.subarray(HEADER_LENGTH + NONCE_LENGTH, bytes.length - TAG_LENGTH);
  const tag = bytes.subarray(bytes.length - TAG_LENGTH);

  const decipher = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(aad(ctx, header));
  decipher.setAuthTag(tag);
  const out = decipher.update(body);
  try {
    return Buffer.concat([out, decipher.final()]);
  } catch {
    out.fill(0);
    throw new VaultCryptoError(
      "integrity",
      `The encrypted ${ctx.purpose} value does not belong to this record or was altered, so it cannot be decrypted: reconnect or re-enter the credential.`,
    );
  }
}

/** The master key version a blob was encrypted under, read from its header (for re-encryption sweeps). */
export function blobKeyVersion(blob: Uint8Array): number {
  if (!(blob instanceof Uint8Array) || blob.byteLength < MIN_BLOB_LENGTH) {
    throw new VaultCryptoError(
      "malformed",
      `The encrypted value is too short to be a vault blob (${blob?.byteLength ?? 0} bytes, at least ${MIN_BLOB_LENGTH} expected): it was truncated or is not a vault value.`,
    );
  }
  if (blob[0] !== FORMAT_V1) {
    throw new VaultCryptoError("malformed", `The encrypted value has an unknown format (${blob[0]}): it is corrupted or was written by a newer vault.`);
  }
  return new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getUint32(1, false);
}

// Length-prefixed fields: no choice of ids can make two different contexts encode the same way.
function aad(ctx: AadContext, header: Uint8Array): Buffer {
  for (const field of ["tenantId", "userId", "rowId"] as const) {
    if (typeof ctx[field] !== "string" || ctx[field].length === 0) throw new Error(`The encryption context needs a ${field}; it is empty.`);
  }
  if (!PURPOSES.has(ctx.purpose)) throw new Error(`"${String(ctx.purpose)}" is not a known encryption purpose.`);
  const parts = [Buffer.from(AAD_LABEL), Buffer.from(header), ...[ctx.tenantId, ctx.userId, ctx.rowId, ctx.purpose].map((s) => Buffer.from(s, "utf8"))];
  const out = Buffer.alloc(parts.reduce((n, p) => n + 4 + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.writeUInt32BE(p.length, at);
    p.copy(out, at + 4);
    at += 4 + p.length;
  }
  return out;
}
