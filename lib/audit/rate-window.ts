// A delegation's rate limit ("at most max actions in any window of perSeconds") kept as counts per
// time bucket instead of by counting audit rows. A window holds at most ~1024 buckets, so a row stays
// small whatever the limit. Each hit is filed under the END of its bucket: it is counted at least as
// long as it really falls in the window, never shorter, so the limit is never exceeded; at worst a
// call is refused 1/1024 of the window early. Pure.

/** [bucket end in epoch ms, allowed actions in that bucket], ascending by end. */
export type RateBuckets = ReadonlyArray<readonly [number, number]>;

const BUCKETS_PER_WINDOW = 1024;

function resolutionMs(windowMs: number): number {
  return Math.max(1, Math.floor(windowMs / BUCKETS_PER_WINDOW));
}

/** Allowed actions recorded in the window that ends at `nowMs`. */
export function countInWindow(buckets: RateBuckets, windowMs: number, nowMs: number): number {
  const from = nowMs - windowMs;
  let n = 0;
  for (const [end, count] of buckets) if (end > from) n += count;
  return n;
}

/** The buckets after one more allowed action at `nowMs`, with those older than the window dropped. */
export function addHit(buckets: RateBuckets, windowMs: number, nowMs: number): RateBuckets {
  const from = nowMs - windowMs;
  const r = resolutionMs(windowMs);
  const end = Math.ceil(nowMs / r) * r;
  const kept = buckets.filter(([e]) => e > from).map(([e, c]) => [e, c] as [number, number]);
  const same = kept.find(([e]) => e === end);
  if (same) same[1] += 1;
  else {
    kept.push([end, 1]);
    // Another instance's clock may be a little behind: keep the order anyway.
    kept.sort((a, b) => a[0] - b[0]);
  }
  return kept;
}

/** A stored value read defensively: entries that are not [end, positive count] pairs are dropped. */
export function readBuckets(stored: unknown): RateBuckets {
  if (!Array.isArray(stored)) return [];
  const out: Array<[number, number]> = [];
  for (const b of stored) {
    if (Array.isArray(b) && b.length === 2 && Number.isFinite(b[0]) && Number.isInteger(b[1]) && b[1] > 0) out.push([Number(b[0]), Number(b[1])]);
  }
  return out.sort((a, b) => a[0] - b[0]);
}
