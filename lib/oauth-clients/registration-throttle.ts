import "server-only";
// Dynamic client registration is open to anyone on the network, so each source address may register
// only so many clients (rate-limiter-flexible, in memory: each portal instance counts its own). The
// address is the one the token endpoint's throttle trusts (lib/oauth-server/throttle.ts): the last
// X-Forwarded-For entry, as the nearest proxy or the portal's own server wrote it. Every attempt
// counts, refused or not, so the endpoint cannot be used to probe either. Touches memory only.
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

export const REGISTRATION_LIMITS = { points: 20, duration: 3_600 } as const;

const g = globalThis as unknown as { __vaultRegistrationThrottle?: RateLimiterMemory };
const limiter = () => (g.__vaultRegistrationThrottle ??= new RateLimiterMemory({ keyPrefix: "registration", ...REGISTRATION_LIMITS }));

/** Counts one registration attempt from this address: 0 when it may go on, else the seconds until it may try again. */
export async function registrationWait(address: string | null): Promise<number> {
  try {
    await limiter().consume((address ?? "unknown").slice(0, 100));
    return 0;
  } catch (e) {
    if (e instanceof RateLimiterRes) return Math.max(1, Math.ceil(e.msBeforeNext / 1000));
    throw e;
  }
}

/** Forgets every count (tests). */
export function resetRegistrationThrottle(): void {
  delete g.__vaultRegistrationThrottle;
}
