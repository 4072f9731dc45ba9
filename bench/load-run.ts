// `npm run bench:load`: the mixed load of bench/mixed-load.ts, full size. Two vault instances (child
// processes serving the agent routes with the real route handlers, lib/testing/load-instance-main.ts,
// each with its refresh engine) on one PostgreSQL database of the bench's own, the bundled Demo
// Tasks provider on loopback in this process, 50 connections made by the real connect flow and 200
// virtual agents (each with its own delegation and delegation token) in closed loops for 60 s,
// agents of one connection alternating between the instances. The provider's access tokens live
// REFRESH_SKEW_MS + --fresh seconds (60 + 25 by default): every token is due for refresh 25 s after
// it was issued, so each connection is refreshed on calls (and by the engines' sweeps) several times
// while the agents act. Prints requests, errors, latency, throughput, refreshes, double refreshes at
// the provider and stale access tokens the provider refused, writes --out (bench/load-results.json),
// verifies the audit chains once the instances stopped, and fails unless errors, double refreshes,
// refused refreshes and stale tokens are all 0.
//
// Usage: npm run bench:load [-- --agents 200 --connections 50 --duration 60 --warmup 2 --fresh 25
//   --engine-interval 60 --database-url postgresql://postgres@127.0.0.1:5432/postgres --out bench/load-results.json]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { startInstance } from "../lib/testing/instances";
import { seedLoadWorld, startLoadProvider } from "./load-world";
import { machine } from "./micro";
import { runLoadScenario, watchRefreshTokens, type LoadReport } from "./mixed-load";
import { benchDatabase, cleanup, freePort, onCleanup, postgresAnswers, root, wasInterrupted } from "./processes";

const INSTANCES = 2;

function usage(problem: string): never {
  console.error(
    `bench:load: ${problem}\nUsage: npm run bench:load -- [--agents N] [--connections N] [--duration S] [--warmup S] [--fresh S] [--engine-interval S] [--database-url postgresql://...] [--out FILE]`,
  );
  process.exit(2);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        agents: { type: "string" },
        connections: { type: "string" },
        duration: { type: "string" },
        warmup: { type: "string" },
        fresh: { type: "string" },
        "engine-interval": { type: "string" },
        "database-url": { type: "string" },
        out: { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  const num = (value: string | undefined, name: string, fallback: number, min: number, max: number) => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) usage(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`);
    return n;
  };
  let databaseUrl: URL;
  try {
    databaseUrl = new URL(values["database-url"] ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
  } catch {
    usage("--database-url is not a URL (postgresql://user@127.0.0.1:5432/postgres)");
  }
  if (!["postgres:", "postgresql:"].includes(databaseUrl.protocol)) usage("--database-url must be a postgresql:// URL");
  if (!["127.0.0.1", "localhost", "[::1]"].includes(databaseUrl.hostname)) usage("--database-url must point at this machine: the bench stays on loopback");
  const connections = num(values.connections, "connections", 50, 1, 300);
  return {
    agents: num(values.agents, "agents", 200, connections, 1000),
    connections,
    duration: num(values.duration, "duration", 60, 1, 600),
    warmup: num(values.warmup, "warmup", 2, 0, 60),
    fresh: num(values.fresh, "fresh", 25, 1, 3600),
    engineIntervalSeconds: num(values["engine-interval"], "engine-interval", 60, 0, 3600),
    databaseUrl,
    out: path.resolve(root, values.out ?? "bench/load-results.json"),
  };
}

/** Re-walks every tenant's audit chain once the instances have stopped. */
async function verifyChains(url: string): Promise<{ tenants: number; rows: number; broken: string[] }> {
  const { createPrismaClient } = await import("../lib/db");
  const { verifyAllChains } = await import("../lib/audit/verify");
  const db = await createPrismaClient({ kind: "postgres", url });
  try {
    const reports = await verifyAllChains(db.prisma);
    return {
      tenants: reports.length,
      rows: reports.reduce((n, r) => n + r.rows, 0),
      broken: reports.filter((r) => r.break).map((r) => `${r.tenantId} at seq ${r.break!.seq}: ${r.break!.reason}`),
    };
  } finally {
    await db.close();
  }
}

function print(report: LoadReport, tokenSeconds: number): void {
  const { load, refreshes } = report;
  const row = (label: string, s: { requests: number; errors: number; p50Ms: number; p99Ms: number; maxMs: number }) =>
    `  ${label.padEnd(34)} ${String(s.requests).padStart(7)} ${String(s.errors).padStart(6)} ${s.p50Ms.toFixed(1).padStart(8)} ${s.p99Ms.toFixed(1).padStart(8)} ${s.maxMs.toFixed(1).padStart(8)}`;
  console.log(`\nLoad: ${load.agents} agents, ${load.instances} instances, ${load.durationSeconds} s, ${report.refreshes.connections} connections`);
  console.log(`  ${"".padEnd(34)} ${"requests".padStart(7)} ${"errors".padStart(6)} ${"p50 ms".padStart(8)} ${"p99 ms".padStart(8)} ${"max ms".padStart(8)}`);
  console.log(row("all", load));
  console.log(row("reads (list, proxy + tool)", load.reads));
  console.log(row("writes (create tool, delete)", load.writes));
  load.byInstance.forEach((s, i) => console.log(row(`instance ${i} ${s.url}`, s)));
  console.log(`  throughput ${load.rps} req/s; ${load.exchanges} delegation tokens renewed in the window`);
  console.log(
    `Refreshes (access tokens live ${tokenSeconds} s): ${refreshes.atProvider} at the provider in the window, ` +
      `${refreshes.byInstance.join(" + ")} by instance, by trigger ${JSON.stringify(refreshes.byTrigger)}; ` +
      `${refreshes.connectionsRefreshed} of ${refreshes.connections} connections refreshed; ${refreshes.refusedAtProvider} refused at the provider, ` +
      `${refreshes.auditFailures + refreshes.failedByInstance.reduce((a, b) => a + b, 0)} failed`,
  );
  console.log(
    `Double refreshes at the provider: ${report.doubleRefreshes} (of ${report.refreshTokensPresented} refresh tokens presented); ` +
      `stale access tokens refused by the provider: ${report.staleTokensRefused}; connections afterwards ${JSON.stringify(report.connectionStatus)}`,
  );
  for (const s of load.errorSamples) console.log(`  error: ${s}`);
  for (const s of report.staleSamples) console.log(`  stale token refused: ${s}`);
}

async function main(): Promise<void> {
  const opts = options();
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  const say = (s: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}`);
  if (!(await postgresAnswers(opts.databaseUrl))) throw new Error(`no PostgreSQL server answers at ${opts.databaseUrl.host}`);
  const databaseUrl = await benchDatabase(opts.databaseUrl);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "vault-bench-load-"));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));

  // This process is the portal for seeding (the vault's own code paths) and the instances' parent:
  // they inherit this configuration (one database, one data folder, one issuer).
  const portalPort = await freePort();
  const origin = `http://localhost:${portalPort}`;
  const { provider, metricsToken, tokenSeconds } = await startLoadProvider({
    dataDir,
    portalPort,
    origin,
    providerPort: await freePort(),
    databaseUrl,
    freshSeconds: opts.fresh,
    logLevel: process.env.LOG_LEVEL ?? "silent",
  });
  onCleanup(() => provider.close());
  const watcher = watchRefreshTokens(provider);
  onCleanup(() => watcher.close());
  say(
    `Demo Tasks at ${provider.issuer} (access tokens live ${tokenSeconds} s: due for refresh ${opts.fresh} s after issue); database ${new URL(databaseUrl).pathname.slice(1)}`,
  );

  const world = await seedLoadWorld({ providerIssuer: provider.issuer, connections: opts.connections, agents: opts.agents, say });
  const { closeDb } = await import("../lib/db");
  onCleanup(() => closeDb());

  // The engines sweep every --engine-interval s, half an interval apart, the first some 20 s after start.
  const engineMs = opts.engineIntervalSeconds * 1000;
  const instances = await Promise.all(
    Array.from({ length: INSTANCES }, (_, i) =>
      startInstance(
        engineMs > 0 ? { LOAD_REFRESH_ENGINE_MS: String(engineMs), LOAD_REFRESH_ENGINE_FIRST_MS: String(20_000 + (i * engineMs) / INSTANCES) } : {},
        "load-instance-main.ts",
      ),
    ),
  );
  for (const instance of instances) onCleanup(() => instance.kill());
  say(
    `${INSTANCES} instances: ${instances.map((i) => i.url).join(", ")}` +
      (engineMs > 0 ? `; refresh engines every ${opts.engineIntervalSeconds} s` : "; refresh engines off"),
  );

  const report = await runLoadScenario({
    world,
    portals: instances.map((i) => i.url),
    provider,
    watcher,
    metricsToken,
    seconds: opts.duration,
    warmupSeconds: opts.warmup,
    say,
  });
  await Promise.all(instances.map((i) => i.kill()));
  await closeDb();
  const audit = await verifyChains(databaseUrl);
  print(report, tokenSeconds);
  console.log(
    `Audit chain after the run: ${audit.rows} rows in ${audit.tenants} tenants, ${audit.broken.length ? `BROKEN ${audit.broken.join("; ")}` : "intact"}`,
  );

  const results = {
    date: new Date().toISOString(),
    machine: machine(loadAtStart),
    setup: {
      instances: `${INSTANCES} child processes (lib/testing/load-instance-main.ts: the app's route handlers behind a Node HTTP server), tsx, LOG_LEVEL ${process.env.LOG_LEVEL}`,
      database: `PostgreSQL at ${opts.databaseUrl.host}`,
      provider: "Demo Tasks (bundled, in the bench process), refresh tokens rotated",
      accessTokenSeconds: tokenSeconds,
      refreshEngineIntervalSeconds: opts.engineIntervalSeconds,
      agents: opts.agents,
      registeredAgents: world.registeredAgents,
      connections: opts.connections,
      people: world.people,
      durationSeconds: opts.duration,
      warmupSeconds: opts.warmup,
    },
    ...report,
    audit,
    totalSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
  writeFileSync(opts.out, JSON.stringify(results, null, 2) + "\n");
  console.log(`Wrote ${path.relative(process.cwd(), opts.out) || opts.out}; ${results.totalSeconds} s in all.`);
  const failures = [
    report.load.errors > 0 && `${report.load.errors} errors`,
    report.doubleRefreshes > 0 && `${report.doubleRefreshes} double refreshes`,
    report.refreshes.refusedAtProvider > 0 && `${report.refreshes.refusedAtProvider} refreshes refused`,
    report.staleTokensRefused > 0 && `${report.staleTokensRefused} stale tokens refused`,
    audit.broken.length > 0 && "a broken audit chain",
  ].filter(Boolean);
  if (failures.length) {
    console.log(`FAILED: ${failures.join(", ")}`);
    process.exitCode = 1;
  } else console.log("OK: 0 errors, 0 double refreshes, 0 stale tokens");
}

main()
  .catch((e: Error) => {
    if (!wasInterrupted()) {
      console.error(`bench:load failed: ${e.stack ?? e.message}`);
      process.exitCode = 1;
    }
  })
  .finally(async () => {
    await cleanup();
    if (!wasInterrupted()) process.exit(process.exitCode ?? 0);
  });
