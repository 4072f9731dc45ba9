// Connect round trip against the bundled Demo Tasks provider: start (pending authorization, PKCE),
// login + consent at the provider, callback (state checks, code exchange, identity, encrypted
// storage). Prints the median and p95 over N runs. Run: node scripts/run-ts.mjs bench/connect-roundtrip.ts [N]
import { startConnectWorld } from "../lib/testing/connect-harness";

const runs = Number(process.argv[2] ?? 50);
const world = await startConnectWorld();
const { startConnect, completeConnect } = await import("../lib/vault/connect/flow");
const { closeDb } = await import("../lib/db");
const times: number[] = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  const { url, binding } = await startConnect({ person: world.people.alice, providerKey: "demo-tasks", scopes: [] });
  const callback = await world.authorize(url);
  await completeConnect({ person: world.people.alice, query: callback.searchParams, binding });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
console.log(`connect round trip over ${runs} runs: median ${at(0.5)} ms, p95 ${at(0.95)} ms`);
await closeDb();
await world.provider.close();
