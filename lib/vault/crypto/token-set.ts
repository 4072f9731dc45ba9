import "server-only";
// A connection's token set as stored: one ciphertext bound to the connection row. It is opened into
// Secrets for the duration of one call and never leaves lib/vault as plaintext.
import type { AadContext } from "@/lib/vault/crypto/encryption";
import { decrypt, encrypt } from "@/lib/vault/crypto/encryption";
import type { KeyRing } from "@/lib/vault/crypto/keyring";
import { Secret } from "@/lib/vault/crypto/secret";

export type PlainTokenSet = { accessToken: string; refreshToken?: string; tokenType: string; expiresAt?: number; scope?: string };
export type OpenTokenSet = { accessToken: Secret; refreshToken?: Secret; tokenType: string; expiresAt?: number; dispose(): void };

export function sealTokenSet(ring: KeyRing, ctx: AadContext, set: PlainTokenSet): { blob: Uint8Array<ArrayBuffer>; keyVersion: number } {
  return encrypt(ring, ctx, JSON.stringify({ at: set.accessToken, rt: set.refreshToken, tt: set.tokenType, exp: set.expiresAt, sc: set.scope }));
}

export function openTokenSet(ring: KeyRing, ctx: AadContext, blob: Uint8Array): OpenTokenSet {
  const raw = JSON.parse(decrypt(ring, ctx, blob).toString("utf8")) as { at: string; rt?: string; tt: string; exp?: number };
  const accessToken = new Secret(raw.at);
  const refreshToken = raw.rt ? new Secret(raw.rt) : undefined;
  return {
    accessToken,
    refreshToken,
    tokenType: raw.tt,
    expiresAt: raw.exp,
    dispose() {
      accessToken.dispose();
      refreshToken?.dispose();
    },
  };
}
