import "server-only";
// An agent's credentials: client ids, client secrets and how the vault checks them. A secret exists
// in clear only in the answer that hands it over once; the database keeps a slow scrypt hash whose
// string names its own parameters, so they can be raised later without breaking stored hashes.
// Successful checks are remembered briefly (keyed by an HMAC, never the secret) so an agent asking
// for tokens in a loop does not pay scrypt on every call.
import { createHmac, createPublicKey, randomBytes, scrypt, timingSafeEqual, type JsonWebKey } from "node:crypto";

import type { PublicJwks } from "@/lib/agents/jwks";

export { jwksUriSchema, publicJwksSchema, type PublicJwk, type PublicJwks } from "@/lib/agents/jwks";

const CLIENT_ID_PREFIX = "agt_";
const CLIENT_SECRET_PREFIX = "tvs_";

/** scrypt cost: N=2^15, r=8, p=1 (OWASP's minimum is N=2^17 at r=8,p=1 for passwords; these are 256-bit random secrets). */
const SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
/** Highest cost a stored hash may ask for, so a tampered row cannot make verification eat the machine. */
const MAX_N = 2 ** 20;
/** A presented secret longer than this is refused without hashing it. */
const MAX_PRESENTED_LENGTH = 512;

const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX_ENTRIES = 1_000;

export type AgentSecretHashes = {
  secretHash: string | null;
  previousSecretHash: string | null;
  previousSecretExpiresAt: Date | null;
};

/** "agt_" and 16 base64url characters (96 random bits): public, shown in the portal and in tokens. */
export function generateClientId(): string {
  return CLIENT_ID_PREFIX + randomBytes(12).toString("base64url");
}

/** "tvs_" and 43 base64url characters (256 random bits). The prefix lets secret scanners spot a leak. */
export function generateClientSecret(): string {
  return CLIENT_SECRET_PREFIX + randomBytes(32).toString("base64url");
}

/** `scrypt$N=32768,r=8,p=1$<salt>$<hash>` (base64url): everything needed to check it again. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, SCRYPT.N, SCRYPT.r, SCRYPT.p);
  return `scrypt$N=${SCRYPT.N},r=${SCRYPT.r},p=${SCRYPT.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

/**
 * Whether `presented` is the agent's current secret, or its previous one while the rotation overlap
 * lasts (until `previousSecretExpiresAt`, exclusive). Comparison is constant-time.
 */
export async function verifyAgentSecret(agent: AgentSecretHashes & { clientId?: string }, presented: string, now: Date = new Date()): Promise<boolean> {
  if (typeof presented !== "string" || presented.length === 0 || presented.length > MAX_PRESENTED_LENGTH) return false;
  const candidates: string[] = [];
  if (agent.secretHash) candidates.push(agent.secretHash);
  if (agent.previousSecretHash && agent.previousSecretExpiresAt && now.getTime() < agent.previousSecretExpiresAt.getTime()) {
    candidates.push(agent.previousSecretHash);
  }
  for (const stored of candidates) {
    if (await matches(stored, presented, agent.clientId ?? "")) return true;
  }
  return false;
}

async function matches(stored: string, presented: string, owner: string): Promise<boolean> {
  const cacheKey = verifiedKey(stored, presented);
  const cached = verified.get(cacheKey);
  if (cached !== undefined) {
    if (cached.until > Date.now()) return true;
    verified.delete(cacheKey);
  }
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const actual = await derive(presented, parsed.salt, parsed.N, parsed.r, parsed.p, parsed.hash.length);
  const ok = actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
  if (ok) remember(cacheKey, owner);
  return ok;
}

type ParsedHash = { N: number; r: number; p: number; salt: Buffer; hash: Buffer };

function parseHash(stored: string): ParsedHash | null {
  const m = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!m) return null;
  const [, nText, rText, pText, saltText, hashText] = m as unknown as [string, string, string, string, string, string];
  const [N, r, p] = [Number(nText), Number(rText), Number(pText)];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(saltText, "base64url");
  const hash = Buffer.from(hashText, "base64url");
  if (salt.length < 8 || hash.length < 16 || hash.length > 64) return null;
  return { N, r, p, salt, hash };
}

function derive(secret: string, salt: Buffer, N: number, r: number, p: number, keyLength = KEY_LENGTH): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly that at N=2^15,r=8 and
  // refuses it, so the ceiling is set from the parameters with room to spare.
  const maxmem = 256 * N * r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize("NFC"), salt, keyLength, { N, r, p, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

// Successful verifications, keyed by HMAC(process-random key, stored hash + presented secret): the
// map never holds a secret, and its keys are useless outside this process. A rotation changes the
// stored hash, so the old secret's entry is out of reach once its overlap ends; rotating, suspending
// and deleting an agent also drop its entries at once (forgetVerifiedSecrets).
const cacheHmacKey = randomBytes(32);
const verified = new Map<string, { until: number; owner: string }>();

function verifiedKey(stored: string, presented: string): string {
  return createHmac("sha256", cacheHmacKey).update(stored).update("\0").update(presented).digest("base64url");
}

function remember(key: string, owner: string): void {
  if (verified.size >= CACHE_MAX_ENTRIES) {
    // Maps iterate in insertion order: drop the oldest entry.
    const oldest = verified.keys().next().value;
    if (oldest !== undefined) verified.delete(oldest);
  }
  verified.set(key, { until: Date.now() + CACHE_TTL_MS, owner });
}

/** Forgets the remembered verifications of one client (its secret was rotated, or it was suspended or deleted). */
export function forgetVerifiedSecrets(clientId: string): void {
  for (const [key, entry] of verified) if (entry.owner === clientId) verified.delete(key);
}

/** Forget every remembered verification (tests; a process that wants a clean slate). */
export function clearVerifiedSecretCache(): void {
  verified.clear();
}

/**
 * The first key of a JWKS that has the right shape but is not a usable public key (an EC point off
 * the curve, a malformed modulus), described as a sentence; null when every key imports.
 */
export function unusablePublicKey(jwks: PublicJwks): string | null {
  for (const [i, key] of jwks.keys.entries()) {
    try {
      const imported = createPublicKey({ key: key as JsonWebKey, format: "jwk" });
      if (imported.type !== "public") throw new Error("not public");
    } catch {
      return `Key ${key.kid ? `"${key.kid}"` : i + 1} of the JWKS is not a valid public key: export the public key again and paste it.`;
    }
  }
  return null;
}
