import "server-only";
// A connection's credential as stored: one ciphertext bound to the connection row, holding either an
// OAuth token set or the fields of a pasted credential (an API key, an account SID and auth token)
// with the rules placing them on each request. It is opened into Secrets for the duration of one call
// and never leaves lib/vault as plaintext.
import type { AadContext } from "@/lib/vault/crypto/encryption";
import { decrypt, encrypt } from "@/lib/vault/crypto/encryption";
import type { KeyRing } from "@/lib/vault/crypto/keyring";
import { Secret } from "@/lib/vault/crypto/secret";
import type { CredentialPlacement } from "@/lib/providers/schemas";

export type PlainTokenSet = { accessToken: string; refreshToken?: string; tokenType: string; expiresAt?: number; scope?: string };
export type OpenTokenSet = { accessToken: Secret; refreshToken?: Secret; tokenType: string; expiresAt?: number; dispose(): void };

export function sealTokenSet(ring: KeyRing, ctx: AadContext, set: PlainTokenSet): { blob: Uint8Array<ArrayBuffer>; keyVersion: number } {
  return encrypt(ring, ctx, JSON.stringify({ at: set.accessToken, rt: set.refreshToken, tt: set.tokenType, exp: set.expiresAt, sc: set.scope }));
}

/** A pasted credential: its fields by name, and where each request carries them (sealed with them, so they cannot be swapped). */
export type PlainKeySet = { fields: Record<string, string>; secret: readonly string[]; apply: readonly CredentialPlacement[] };
export type OpenKeySet = { fields: ReadonlyMap<string, Secret>; secret: readonly string[]; apply: readonly CredentialPlacement[]; dispose(): void };
export type OpenCredential = { kind: "oauth2"; tokens: OpenTokenSet } | { kind: "api_key"; key: OpenKeySet };

type RawTokenSet = { at: string; rt?: string; tt: string; exp?: number };
type RawKeySet = { k: "api_key"; f: Record<string, string>; s: string[]; a: CredentialPlacement[] };

export function sealKeySet(ring: KeyRing, ctx: AadContext, set: PlainKeySet): { blob: Uint8Array<ArrayBuffer>; keyVersion: number } {
  const raw: RawKeySet = { k: "api_key", f: set.fields, s: [...set.secret], a: [...set.apply] };
  return encrypt(ring, ctx, JSON.stringify(raw));
}

function openRaw(ring: KeyRing, ctx: AadContext, blob: Uint8Array): RawTokenSet | RawKeySet {
  return JSON.parse(decrypt(ring, ctx, blob).toString("utf8")) as RawTokenSet | RawKeySet;
}

function isKeySet(raw: RawTokenSet | RawKeySet): raw is RawKeySet {
  return "k" in raw && raw.k === "api_key";
}

/** Either kind of credential, for the one call that uses it. */
export function openCredential(ring: KeyRing, ctx: AadContext, blob: Uint8Array): OpenCredential {
  const raw = openRaw(ring, ctx, blob);
  if (!isKeySet(raw)) return { kind: "oauth2", tokens: tokenSetOf(raw) };
  const fields = new Map(Object.entries(raw.f).map(([name, value]) => [name, new Secret(value)] as const));
  return {
    kind: "api_key",
    key: {
      fields,
      secret: raw.s,
      apply: raw.a,
      dispose() {
        for (const s of fields.values()) s.dispose();
      },
    },
  };
}

/** An OAuth token set; a pasted credential has no tokens to refresh or revoke, and asking for them is a bug. */
export function openTokenSet(ring: KeyRing, ctx: AadContext, blob: Uint8Array): OpenTokenSet {
  const raw = openRaw(ring, ctx, blob);
  if (isKeySet(raw)) throw new Error("This connection holds a pasted credential, not OAuth tokens.");
  return tokenSetOf(raw);
}

function tokenSetOf(raw: RawTokenSet): OpenTokenSet {
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
