// Latency of one RFC 8693 token exchange (client authentication + PDP decision with its audit event
// + signing + the exchange's own audit event), in process through the token endpoint's route
// handler on the embedded database. The client's own work (signing its assertion) is done before the
// clock starts. Prints median and p95 per client authentication method over N calls.
// Run: node scripts/run-ts.mjs bench/token-exchange.ts [N] [--json]   (default 500; npm run bench runs it too)
import { pathToFileURL } from "node:url";

import { startConnectWorld } from "../lib/testing/connect-harness";

export type ExchangeStats = { method: string; runs: number; medianMs: number; p95Ms: number; meanMs: number };

export async function benchTokenExchange(runs = 500): Promise<ExchangeStats[]> {
  const world = await startConnectWorld();
  const { getDb, closeDb } = await import("../lib/db");
  const { POST } = await import("../app/api/oauth/token/route");
  const { insertConnection, insertDelegation } = await import("../lib/testing/fixtures");
  const { agentWithCredentials, basicHeader, clientAssertion, exchangeParams, JWT_BEARER, tokenRequest } = await import("../lib/testing/oauth-clients");
  const issuer = "http://localhost:3999";
  try {
    const db = await getDb();
    const client = await agentWithCredentials(db, "acme");
    const connection = await insertConnection(db, world.people.alice, { scopes: ["tasks.read", "tasks.write"] });
    const delegation = await insertDelegation(db, { agentId: client.agent.id, connection, scopes: ["tasks.read"] });

    const methods: Record<string, () => Promise<Request>> = {
      client_secret_post: async () => tokenRequest(issuer, exchangeParams(delegation.id, { client_id: client.clientId, client_secret: client.secret })),
      client_secret_basic: async () => tokenRequest(issuer, exchangeParams(delegation.id), { authorization: basicHeader(client.clientId, client.secret) }),
      private_key_jwt: async () =>
        tokenRequest(issuer, exchangeParams(delegation.id, { client_assertion_type: JWT_BEARER, client_assertion: await clientAssertion(client, issuer) })),
    };

    const entries = Object.entries(methods);
    // Warm-up: the signing key is created, the secret check is cached, code paths are compiled.
    for (let i = 0; i < 100; i++) for (const [, build] of entries) await expectToken(await POST(await build()));
    // Interleaved, so drift over the run (a growing audit log, the machine's load) hits every method alike.
    const times = new Map<string, number[]>(entries.map(([method]) => [method, []]));
    for (let i = 0; i < runs; i++) {
      for (const [method, build] of entries) {
        const req = await build();
        const t0 = performance.now();
        const res = await POST(req);
        times.get(method)!.push(performance.now() - t0);
        await expectToken(res);
      }
    }
    const out = entries.map(([method]) => stats(method, times.get(method)!));
    return out;
  } finally {
    await closeDb();
    await world.provider.close();
  }
}

async function expectToken(res: Response): Promise<void> {
  const body = (await res.json()) as { access_token?: string; error?: string };
  if (res.status !== 200 || !body.access_token)
    throw new Error(`the exchange was refused (${res.status} ${body.error ?? ""}): the bench measures successful exchanges only`);
}

function stats(method: string, times: number[]): ExchangeStats {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const round = (n: number) => Math.round(n * 100) / 100;
  return { method, runs: sorted.length, medianMs: round(at(0.5)), p95Ms: round(at(0.95)), meanMs: round(sorted.reduce((a, b) => a + b, 0) / sorted.length) };
}

export function formatTable(rows: ExchangeStats[]): string {
  const header = ["client authentication", "runs", "median ms", "p95 ms", "mean ms"];
  const lines = rows.map((r) => [r.method, String(r.runs), r.medianMs.toFixed(2), r.p95Ms.toFixed(2), r.meanMs.toFixed(2)]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [row(header), widths.map((w) => "-".repeat(w)).join("  "), ...lines.map(row)].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const json = process.argv.includes("--json");
  const runs = Number(process.argv.slice(2).find((a) => a !== "--json") ?? 500);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100_000) {
    console.error("Usage: node scripts/run-ts.mjs bench/token-exchange.ts [number of calls, 1-100000]");
    process.exit(2);
  }
  const rows = await benchTokenExchange(runs);
  if (json) {
    console.log(JSON.stringify(rows));
    process.exit(0);
  }
  console.log(`token exchange (client auth + PDP + signing + audit), in process, embedded database, ${runs} calls per method`);
  console.log(formatTable(rows));
}
