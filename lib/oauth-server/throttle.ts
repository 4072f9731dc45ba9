import "server-only";
// Failed client authentication is throttled per client id and per source address
// (rate-limiter-flexible, in memory: each portal instance counts its own failures). A client or an
// address that failed too often is answered 429 with Retry-After, before any secret is hashed, until
// the block ends. Successful authentication never counts.
import { RateLimiterMemory, type RateLimiterRes } from "rate-limiter-flexible";

const LIMITS = {
  /** A client id that failed this often within a minute waits (up to a minute) before it may try again. */
  client: { points: 10, duration: 60, blockDuration: 60 },
  /** One address trying many clients. */
  address: { points: 30, duration: 60, blockDuration: 60 },
};

const g = globalThis as unknown as { __vaultAuthThrottle?: { client: RateLimiterMemory; address: RateLimiterMemory } };
const limiters = (g.__vaultAuthThrottle ??= {
  client: new RateLimiterMemory({ keyPrefix: "client", ...LIMITS.client }),
  address: new RateLimiterMemory({ keyPrefix: "address", ...LIMITS.address }),
});

type Keys = { clientId: string | null; address: string | null };

function pairs(k: Keys): Array<[RateLimiterMemory, string, number]> {
  const out: Array<[RateLimiterMemory, string, number]> = [];
  if (k.clientId) out.push([limiters.client, k.clientId.slice(0, 200), LIMITS.client.points]);
  if (k.address) out.push([limiters.address, k.address.slice(0, 100), LIMITS.address.points]);
  return out;
}

/** Seconds until this client and address may try again, or 0 when neither is blocked. */
export async function authRetryAfter(k: Keys): Promise<number> {
  let wait = 0;
  for (const [limiter, key, points] of pairs(k)) {
    const res = await limiter.get(key);
    if (res && res.consumedPoints >= points) wait = Math.max(wait, Math.ceil(res.msBeforeNext / 1000));
  }
  return wait;
}

/** Counts one failed authentication against the client id and the address. */
export async function recordAuthFailure(k: Keys): Promise<void> {
  for (const [limiter, key] of pairs(k)) {
    // Rejects once the limit is passed (the key is then blocked); that is the point, not an error.
    await limiter.consume(key).catch((_: RateLimiterRes) => undefined);
  }
}

/** Forgets every count (tests). */
export async function resetAuthThrottle(): Promise<void> {
  limiters.client = new RateLimiterMemory({ keyPrefix: "client", ...LIMITS.client });
  limiters.address = new RateLimiterMemory({ keyPrefix: "address", ...LIMITS.address });
}

/** The caller's address as the nearest proxy (or the portal's own server) recorded it: the last X-Forwarded-For entry. */
export function sourceAddress(req: Request): string | null {
  const forwarded = req.headers.get("x-forwarded-for");
  if (!forwarded) return null;
  const last = forwarded.split(",").at(-1)?.trim();
  return last ? last : null;
}

export const AUTH_THROTTLE_LIMITS = LIMITS;
