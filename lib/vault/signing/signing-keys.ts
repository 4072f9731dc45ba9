import "server-only";
// The vault's own signing keys (delegation tokens, agent tokens, receipts). Private keys live in the
// database encrypted under the master key ring (AAD bound to the kid), so `keys:rotate` re-encrypts
// them like any credential; a process keeps the active one decrypted in memory as a non-extractable
// CryptoKey. Lifecycle: `active` signs; `retiring` no longer signs but stays published (and verifies)
// until every token it signed has expired; `retired` is neither published nor trusted.
// For a retiring key `retiredAt` holds the moment it becomes retired (set when it stops signing).
import { KeyObject, sign } from "node:crypto";

import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type JWTHeaderParameters, type JWTPayload } from "jose";

import { getDb, type VaultPrismaClient } from "@/lib/db";
import { log } from "@/lib/log";

import { aadForSigningKey } from "@/lib/vault/crypto/aad";
import { decrypt, encrypt } from "@/lib/vault/crypto/encryption";
import { getKeyRing } from "@/lib/vault/crypto/keyring";

export const VAULT_SIGNING_ALG = "EdDSA";
/** Algorithms a vault-signed JWT may carry; anything else is refused before a key is looked up. */
export const VAULT_VERIFY_ALGS = ["EdDSA", "ES256"] as const;
/** The longest lifetime of any token the vault issues (the token endpoint caps exp at this). */
export const MAX_ISSUED_TOKEN_SECONDS = 300;

const DAY_MS = 86_400_000;
/** The active key is replaced automatically once it is this old. */
export const SIGNING_KEY_MAX_AGE_MS = 30 * DAY_MS;
// A process signs with the key it loaded for at most this long before re-reading which key is active,
// so after a rotation elsewhere it may still sign with the old key for this long.
const ACTIVE_RECHECK_MS = 30_000;
const PUBLIC_RELOAD_MS = 30_000;
const MISS_RELOAD_MIN_MS = 1_000;
const CLOCK_SKEW_MS = 60_000;
/** How long a retiring key stays published: its last token's lifetime, the re-check delay, and clock skew. */
export const RETIRING_WINDOW_MS = MAX_ISSUED_TOKEN_SECONDS * 1000 + ACTIVE_RECHECK_MS + CLOCK_SKEW_MS;
/**
 * Retired keys no longer verify access tokens, but their public halves stay published this long so
 * signed receipts (records of past actions) can still be checked against /.well-known/jwks.json.
 */
export const RECEIPT_KEY_PUBLISH_MS = 400 * DAY_MS;
const LOCK_NAME = "vault:signing-keys";

type ActiveKey = { kid: string; alg: string; privateKey: CryptoKey; signer: KeyObject; createdAt: Date };
type PublicKey = { kid: string; alg: string; jwk: JWK; key: CryptoKey | null; status: "active" | "retiring" | "retired"; retireAt: Date | null };

type State = {
  active: { key: ActiveKey; checkedAt: number } | null;
  activeLoading: Promise<ActiveKey> | null;
  publics: { byKid: Map<string, PublicKey>; loadedAt: number } | null;
  publicsLoading: Promise<Map<string, PublicKey>> | null;
  lastMissReload: number;
};

// On globalThis: Next may load this module into several bundles, and one process needs one cache.
const holder = globalThis as unknown as { __vaultSigningKeys?: State };
const fresh = (): State => ({ active: null, activeLoading: null, publics: null, publicsLoading: null, lastMissReload: 0 });
const state: State = (holder.__vaultSigningKeys ??= fresh());

/** Forgets every cached key (tests, and after an operator changed keys by hand). */
export function resetSigningKeyCache(): void {
  Object.assign(state, fresh());
}

export class SigningKeyError extends Error {
  constructor(
    readonly code: "kid_missing" | "kid_unknown" | "kid_retired" | "alg_mismatch",
    message: string,
  ) {
    super(message);
    this.name = "SigningKeyError";
  }
}

/**
 * Signs `payload` as a compact JWS with the active key: header { alg: EdDSA, kid, typ }. Signed with
 * node:crypto, synchronously: one signature per action (its receipt) and per token issued.
 */
export async function signVaultJwt(payload: JWTPayload, { typ }: { typ: string }): Promise<string> {
  const key = await activeKey();
  const input = `${Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, typ })).toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}`;
  const data = Buffer.from(input);
  const signature = key.alg === "EdDSA" ? sign(null, data, key.signer) : sign("sha256", data, { key: key.signer, dsaEncoding: "ieee-p1363" });
  return `${input}.${signature.toString("base64url")}`;
}

/**
 * The published key set: every key that signed something still worth checking — the active key, the
 * retiring ones, and retired ones for RECEIPT_KEY_PUBLISH_MS (receipts outlive tokens). Publishing a
 * retired key cannot revive its access tokens: they expired before it retired, and the vault's own
 * verifier (vaultVerificationKey) refuses retired kids anyway.
 */
export async function vaultPublicJwks(): Promise<{ keys: JWK[] }> {
  const byKid = await publicKeys();
  return { keys: [...byKid.values()].map((k) => ({ ...k.jwk })) };
}

/**
 * A jose key resolver for verifying vault-signed JWTs: the key named by `kid` if it is active or still
 * retiring. An unknown kid triggers one reload (another process may have just rotated).
 */
export async function vaultVerificationKey(header: JWTHeaderParameters): Promise<CryptoKey> {
  if (typeof header.kid !== "string" || !header.kid) throw new SigningKeyError("kid_missing", "The token names no signing key (kid).");
  let byKid = await publicKeys();
  let entry = byKid.get(header.kid);
  const now = Date.now();
  if (!entry && now - state.lastMissReload >= MISS_RELOAD_MIN_MS) {
    state.lastMissReload = now;
    state.publics = null;
    byKid = await publicKeys();
    entry = byKid.get(header.kid);
  }
  if (!entry) throw new SigningKeyError("kid_unknown", "The token was signed by a key this vault does not know.");
  if (!trusted(entry, now)) throw new SigningKeyError("kid_retired", "The token was signed by a key this vault has retired.");
  if (header.alg !== entry.alg) throw new SigningKeyError("alg_mismatch", "The token's algorithm does not match its signing key.");
  entry.key ??= (await importJWK(entry.jwk, entry.alg)) as CryptoKey;
  return entry.key;
}

/**
 * Whether `kid` still verifies tokens, from the keys this process holds now, without waiting; null
 * when it holds none that are fresh enough to say (the caller then verifies in full).
 */
export function kidStillTrusted(kid: string): boolean | null {
  const held = state.publics;
  if (!held || Date.now() - held.loadedAt >= PUBLIC_RELOAD_MS) return null;
  const entry = held.byKid.get(kid);
  return entry ? trusted(entry, Date.now()) : null;
}

/** Makes a new active key; the previous one turns `retiring` and is published until its tokens have expired. */
export async function rotateSigningKey(): Promise<{ kid: string }> {
  const kid = await ensureActiveKey(await getDb(), { force: true });
  state.active = null;
  state.publics = null;
  return { kid };
}

function trusted(k: PublicKey, now: number): boolean {
  if (k.status === "active") return true;
  return k.status === "retiring" && k.retireAt !== null && k.retireAt.getTime() > now;
}

async function activeKey(): Promise<ActiveKey> {
  const held = state.active;
  if (held && Date.now() - held.checkedAt < ACTIVE_RECHECK_MS) return held.key;
  state.activeLoading ??= loadActiveKey().finally(() => {
    state.activeLoading = null;
  });
  return state.activeLoading;
}

async function loadActiveKey(): Promise<ActiveKey> {
  const db = await getDb();
  await retireExpired(db);
  let row = await db.signingKey.findFirst({ where: { status: "active" }, orderBy: { createdAt: "desc" }, select: { kid: true, createdAt: true } });
  if (!row || tooOld(row.createdAt)) {
    await ensureActiveKey(db, { force: false });
    state.publics = null;
    row = await db.signingKey.findFirst({ where: { status: "active" }, orderBy: { createdAt: "desc" }, select: { kid: true, createdAt: true } });
    if (!row) throw new Error("No active signing key could be created: check the database is writable.");
  }
  const checkedAt = Date.now();
  if (state.active?.key.kid === row.kid) {
    state.active = { key: state.active.key, checkedAt };
    return state.active.key;
  }
  const full = await db.signingKey.findUniqueOrThrow({ where: { kid: row.kid }, select: { kid: true, alg: true, encBlob: true, createdAt: true } });
  const plain = decrypt(getKeyRing(), aadForSigningKey(full), full.encBlob);
  let jwk: JWK;
  try {
    jwk = JSON.parse(plain.toString("utf8")) as JWK;
  } finally {
    plain.fill(0);
  }
  const privateKey = (await importJWK(jwk, full.alg, { extractable: false })) as CryptoKey;
  delete jwk.d;
  const key: ActiveKey = { kid: full.kid, alg: full.alg, privateKey, signer: KeyObject.from(privateKey), createdAt: full.createdAt };
  state.active = { key, checkedAt };
  return key;
}

function tooOld(createdAt: Date): boolean {
  return Date.now() - createdAt.getTime() > SIGNING_KEY_MAX_AGE_MS;
}

/**
 * Under a database-wide advisory lock (so two processes never both create or rotate), makes a new
 * active key when there is none, when the active one is too old, or when `force` asks for a rotation.
 * Returns the active kid.
 */
export async function ensureActiveKey(db: VaultPrismaClient, { force }: { force: boolean }): Promise<string> {
  const material = await newKeyMaterial();
  const ring = getKeyRing();
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${LOCK_NAME}))`;
    const current = await tx.signingKey.findFirst({ where: { status: "active" }, orderBy: { createdAt: "desc" }, select: { kid: true, createdAt: true } });
    if (current && !force && !tooOld(current.createdAt)) return current.kid;
    const now = new Date();
    if (current) {
      await tx.signingKey.updateMany({ where: { status: "active" }, data: { status: "retiring", retiredAt: new Date(now.getTime() + RETIRING_WINDOW_MS) } });
    }
    const { blob, keyVersion } = encrypt(ring, aadForSigningKey({ kid: material.kid }), material.privateJson);
    await tx.signingKey.create({
      data: { kid: material.kid, alg: VAULT_SIGNING_ALG, publicJwk: material.publicJwk, encBlob: blob, keyVersion, status: "active", createdAt: now },
    });
    log.info({ kid: material.kid, previous: current?.kid ?? null }, current ? "vault signing key rotated" : "vault signing key created");
    return material.kid;
  });
}

async function newKeyMaterial(): Promise<{ kid: string; publicJwk: JWK & { kid: string }; privateJson: string }> {
  const { privateKey } = await generateKeyPair(VAULT_SIGNING_ALG, { crv: "Ed25519", extractable: true });
  const priv = await exportJWK(privateKey);
  const base = { kty: priv.kty!, crv: priv.crv!, x: priv.x! };
  const kid = await calculateJwkThumbprint(base);
  const publicJwk = { ...base, kid, alg: VAULT_SIGNING_ALG, use: "sig" };
  // A string the caller cannot wipe; it lives only until encrypt() has read it.
  const privateJson = JSON.stringify({ ...priv, kid, alg: VAULT_SIGNING_ALG });
  return { kid, publicJwk, privateJson };
}

async function retireExpired(db: VaultPrismaClient): Promise<void> {
  await db.signingKey.updateMany({ where: { status: "retiring", retiredAt: { lte: new Date() } }, data: { status: "retired" } });
}

async function publicKeys(): Promise<Map<string, PublicKey>> {
  const held = state.publics;
  if (held && Date.now() - held.loadedAt < PUBLIC_RELOAD_MS) return held.byKid;
  state.publicsLoading ??= loadPublicKeys().finally(() => {
    state.publicsLoading = null;
  });
  return state.publicsLoading;
}

async function loadPublicKeys(): Promise<Map<string, PublicKey>> {
  const db = await getDb();
  // No key yet means nothing was ever signed; creating one here keeps the JWKS from ever being empty.
  if ((await db.signingKey.count({ where: { status: "active" } })) === 0) await activeKey();
  const rows = await db.signingKey.findMany({
    where: { OR: [{ status: { in: ["active", "retiring"] } }, { status: "retired", retiredAt: { gt: new Date(Date.now() - RECEIPT_KEY_PUBLISH_MS) } }] },
    orderBy: { createdAt: "desc" },
    select: { kid: true, alg: true, publicJwk: true, status: true, retiredAt: true },
  });
  const previous = state.publics?.byKid;
  const byKid = new Map<string, PublicKey>();
  for (const r of rows) {
    const jwk = { ...(r.publicJwk as JWK), kid: r.kid, alg: r.alg, use: "sig" };
    byKid.set(r.kid, { kid: r.kid, alg: r.alg, jwk, key: previous?.get(r.kid)?.key ?? null, status: r.status, retireAt: r.retiredAt });
  }
  state.publics = { byKid, loadedAt: Date.now() };
  return byKid;
}
