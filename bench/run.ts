// `npm run bench`: what acting through the vault costs, measured side by side in one run.
//
// Builds the production portal when needed, starts the bundled Demo Tasks provider in this process
// as the upstream, then measures the same upstream call, `GET /tasks` (a real token check at the
// provider), at each concurrency:
//   direct   to the provider with a raw access token;
//   bare     through a Node proxy that only adds a static Authorization header;
//   floor    `GET /api/ping` on the portal: a route handler of the same build that does no work;
//   vault    `POST /api/v1/proxy` with a delegation token (bearer check, PDP decision and its
//            write-ahead audit event, decryption, the provider call, the outcome's audit event, a
//            signed receipt).
// Twice: on the embedded PGlite, then on PostgreSQL (when a server answers) with one portal and
// with two portals for one tenant (virtual agents spread round-robin over both). Closed loop: each
// virtual agent sends its next request when the previous one answered. Around every portal cell the
// portal's own metrics (GET /api/metrics) give SQL statements, audit batches and CPU per call.
// After each database's cells the portals stop and the audit chain is verified. Plus the token
// exchange in process (bench/token-exchange.ts) and one decryption. Prints tables and the targets
// met or missed, writes bench/results.json, and stops everything it started.
//
// Usage: npm run bench [-- --duration 5 --warmup 1 --concurrency 1,8,32,128 --pg-concurrency 1,32,64
//   --modes direct,bare,floor,vault --database-url postgresql://postgres@127.0.0.1:5432/postgres --no-postgres --out bench/results.json
//   --no-pglite --profile DIR (CPU profiles of the portals, node --cpu-prof)]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { startDemoProvider, type DemoProvider } from "../e2e/demo-provider/server";
import { ensureDemoSecrets } from "../lib/env/demo-files";
import { runCell, type CellResult, type Target } from "./load";
import { benchDecrypt, benchExchangeHttp, benchExchangeInProcess, machine } from "./micro";
import {
  benchDatabase,
  cleanup,
  ensureBuild,
  freePort,
  onCleanup,
  postgresAnswers,
  root,
  startBareProxy,
  startPortal,
  tail,
  wasInterrupted,
  type Portal,
} from "./processes";
import { printResults, type Cell, type Results, type Scenario } from "./results";
import { connectDemoTasks, DelegationToken, exchange, grantDelegation, rawProviderToken, registerAgent, signIn } from "./setup";

const MODES = ["direct", "bare", "floor", "vault"] as const;
export type Mode = (typeof MODES)[number];

function usage(problem: string): never {
  console.error(
    `bench: ${problem}\nUsage: npm run bench -- [--duration S] [--warmup S] [--concurrency 1,8,32,128] [--pg-concurrency 1,32,64] [--modes ${MODES.join(",")}] [--database-url postgresql://...] [--no-postgres] [--exchanges N] [--out FILE]`,
  );
  process.exit(2);
}

function numberOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) usage(`--${name} must be a number from ${min} to ${max} (got "${value}")`);
  return n;
}

function listOption(value: string | undefined, name: string, fallback: string): number[] {
  const list = (value ?? fallback).split(",").map((s) => numberOption(s.trim(), name, 1, 1, 512));
  if (list.some((c) => !Number.isInteger(c))) usage(`--${name} takes whole numbers`);
  return list;
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        duration: { type: "string" },
        warmup: { type: "string" },
        concurrency: { type: "string" },
        "pg-concurrency": { type: "string" },
        modes: { type: "string" },
        exchanges: { type: "string" },
        out: { type: "string" },
        "database-url": { type: "string" },
        "no-postgres": { type: "boolean" },
        "no-pglite": { type: "boolean" },
        profile: { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  const modes = (values.modes ?? MODES.join(",")).split(",").map((s) => s.trim()) as Mode[];
  if (modes.length === 0 || modes.some((m) => !MODES.includes(m))) usage(`--modes takes a list of ${MODES.join(", ")}`);
  let databaseUrl: URL | null = null;
  if (!values["no-postgres"]) {
    try {
      databaseUrl = new URL(values["database-url"] ?? process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres");
    } catch {
      usage("--database-url is not a URL (postgresql://user@127.0.0.1:5432/postgres)");
    }
    if (!["postgres:", "postgresql:"].includes(databaseUrl.protocol)) usage("--database-url must be a postgresql:// URL");
    if (!["127.0.0.1", "localhost", "[::1]"].includes(databaseUrl.hostname)) usage("--database-url must point at this machine: the bench stays on loopback");
  }
  return {
    duration: numberOption(values.duration, "duration", 5, 0.5, 120),
    warmup: numberOption(values.warmup, "warmup", 1, 0, 30),
    concurrency: listOption(values.concurrency, "concurrency", "1,8,32,128"),
    pgConcurrency: listOption(values["pg-concurrency"], "pg-concurrency", "1,32,64"),
    modes: MODES.filter((m) => modes.includes(m)),
    exchanges: Math.round(numberOption(values.exchanges, "exchanges", 300, 10, 10_000)),
    out: path.resolve(root, values.out ?? "bench/results.json"),
    databaseUrl,
    explicitDatabase: values["database-url"] !== undefined,
    pglite: !values["no-pglite"],
    /** A folder for the portals' CPU profiles (node --cpu-prof), written when they stop. */
    profile: values.profile ? path.resolve(values.profile) : null,
  };
}

type Metrics = { statements: number; auditStatements: number; auditEvents: number; auditBatches: number; cpuSeconds: number };

async function readMetrics(portal: string, token: string): Promise<Metrics> {
  const res = await fetch(`${portal}/api/metrics`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /api/metrics answered ${res.status}: ${text.slice(0, 200)}`);
  const value = (name: string) => {
    const m = new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text);
    if (!m) throw new Error(`the portal's metrics have no ${name}`);
    return Number(m[1]);
  };
  return {
    statements: value("vault_sql_statements_total"),
    auditStatements: value("vault_audit_statements_total"),
    auditEvents: value("vault_audit_events_total"),
    auditBatches: value("vault_audit_batches_total"),
    cpuSeconds: value("vault_process_cpu_seconds_total"),
  };
}

function sum(list: Metrics[]): Metrics {
  return list.reduce((a, m) => ({
    statements: a.statements + m.statements,
    auditStatements: a.auditStatements + m.auditStatements,
    auditEvents: a.auditEvents + m.auditEvents,
    auditBatches: a.auditBatches + m.auditBatches,
    cpuSeconds: a.cpuSeconds + m.cpuSeconds,
  }));
}

type Env = { opts: ReturnType<typeof options>; provider: DemoProvider; dataDir: string; metricsToken: string; say: (s: string) => void; cells: Cell[] };

/** Node's own arguments for a portal: the CPU profiler when asked for. */
function profiled(env: Env): string[] {
  return env.opts.profile ? ["--cpu-prof", `--cpu-prof-dir=${env.opts.profile}`] : [];
}

/** One measured cell, with the portals' metrics around it when the mode goes through a portal. */
async function measure(env: Env, scenario: Scenario, mode: Mode, target: Target, concurrency: number, portals: Portal[]): Promise<void> {
  if (env.opts.warmup > 0) await runCell(target, concurrency, env.opts.warmup);
  const through = mode === "floor" || mode === "vault";
  const before = through ? sum(await Promise.all(portals.map((p) => readMetrics(p.url, env.metricsToken)))) : null;
  const cell: CellResult = await runCell(target, concurrency, env.opts.duration);
  const after = through ? sum(await Promise.all(portals.map((p) => readMetrics(p.url, env.metricsToken)))) : null;
  const per = (f: (m: Metrics) => number) => (before && after && cell.requests > 0 ? (f(after) - f(before)) / cell.requests : null);
  const batches = before && after ? after.auditBatches - before.auditBatches : 0;
  env.cells.push({
    scenario,
    instances: portals.length,
    mode,
    ...cell,
    statementsPerCall: per((m) => m.statements),
    auditStatementsPerCall: per((m) => m.auditStatements),
    eventsPerBatch: before && after && batches > 0 ? (after.auditEvents - before.auditEvents) / batches : null,
    cpuMsPerCall: per((m) => m.cpuSeconds * 1000),
  });
  const c = env.cells.at(-1)!;
  env.say(
    `${scenario.padEnd(8)} ${String(portals.length)}x ${mode.padEnd(6)} c=${String(concurrency).padStart(3)}  p50 ${c.p50Ms} ms  p99 ${c.p99Ms} ms  ${c.rps} rps  ${c.errors} errors${c.statementsPerCall !== null ? `  ${c.statementsPerCall.toFixed(2)} stmt/call` : ""}`,
  );
}

/** Sign-in, connect, agent, grant and delegation token, all through the portal's HTTP API. */
async function world(portal: string, provider: DemoProvider) {
  const alice = await signIn(portal, "alice@acme.test");
  const bob = await signIn(portal, "bob@acme.test");
  const connectionId = await connectDemoTasks(alice, provider.issuer, "alice");
  const agent = await registerAgent(bob);
  const delegationId = await grantDelegation(alice, agent.id, connectionId);
  const token = new DelegationToken(() => exchange(portal, agent, delegationId));
  await token.get();
  return { agent, delegationId, token };
}

const checkTasks = (status: number, body: string) => status === 200 && Array.isArray((JSON.parse(body) as { tasks?: unknown }).tasks);

function vaultTarget(urls: string[], token: DelegationToken): Target {
  return {
    url: urls.map((u) => new URL("/api/v1/proxy", u)),
    method: "POST",
    body: JSON.stringify({ method: "GET", path: "/tasks" }),
    headers: async () => ({ authorization: `Bearer ${await token.get()}` }),
    check: (status, body) => {
      if (status !== 200) return false;
      const answer = JSON.parse(body) as { status?: number; data?: { tasks?: unknown }; receipt?: unknown };
      return answer.status === 200 && Array.isArray(answer.data?.tasks) && typeof answer.receipt === "string";
    },
  };
}

function floorTarget(urls: string[]): Target {
  return {
    url: urls.map((u) => new URL("/api/ping", u)),
    method: "GET",
    headers: () => ({}),
    check: (status, body) => status === 200 && body === '{"ok":true}',
  };
}

async function probe(target: Target, label: string): Promise<void> {
  const first = await runCell(target, 1, 30, { maxRequests: 1 });
  if (first.errors > 0 || first.requests === 0) throw new Error(`${label}: the first call failed: ${first.errorSamples[0] ?? "no answer"}`);
}

/** Re-walks every tenant's chain once the portals have stopped (PGlite opens in one process only). */
async function verifyChains(
  database: { kind: "pglite"; dir: string } | { kind: "postgres"; url: string },
): Promise<{ tenants: number; rows: number; broken: string[] }> {
  const { createPrismaClient } = await import("../lib/db");
  const { verifyAllChains } = await import("../lib/audit/verify");
  const db = await createPrismaClient(database);
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

async function pgliteScenario(env: Env, ports: { portal: number }) {
  const { opts, provider, say } = env;
  const portal = await startPortal({ dataDir: env.dataDir, port: ports.portal, demoProviderPort: provider.port, nodeArgs: profiled(env) }, "portal-pglite");
  say(`portal on PGlite: ${portal.url}`);
  const w = await world(portal.url, provider);
  const benchClient = { clientId: "bench-direct", clientSecret: benchSecret, redirectUri: "http://127.0.0.1:9/bench/callback" };
  const raw = await rawProviderToken(provider.issuer, benchClient, "alice");
  const bare = await startBareProxy(provider.issuer, raw);
  const targets: Record<Mode, Target> = {
    direct: { url: new URL("/tasks", provider.issuer), method: "GET", headers: () => ({ authorization: `Bearer ${raw}` }), check: checkTasks },
    bare: { url: new URL("/tasks", bare), method: "GET", headers: () => ({}), check: checkTasks },
    floor: floorTarget([portal.url]),
    vault: vaultTarget([portal.url], w.token),
  };
  for (const mode of opts.modes) await probe(targets[mode], mode);
  say(`token exchange over HTTP: ${opts.exchanges} sequential exchanges (client_secret_post)`);
  const exchangeHttp = await benchExchangeHttp(opts.exchanges, () => exchange(portal.url, w.agent, w.delegationId));
  for (const c of opts.concurrency) for (const mode of opts.modes) if (!wasInterrupted()) await measure(env, "pglite", mode, targets[mode], c, [portal]);
  await portal.stop();
  const audit = await verifyChains({ kind: "pglite", dir: path.join(env.dataDir, "pglite") });
  say(
    `audit chain after the PGlite cells: ${audit.rows} rows in ${audit.tenants} tenants, ${audit.broken.length ? `BROKEN ${audit.broken.join("; ")}` : "intact"}`,
  );
  return { exchangeHttp, audit, delegationExchanges: w.token.exchanges };
}

async function postgresScenario(env: Env, admin: URL, ports: { a: number; b: number }) {
  const { opts, provider, say } = env;
  const databaseUrl = await benchDatabase(admin);
  const a = await startPortal({ dataDir: env.dataDir, port: ports.a, demoProviderPort: provider.port, databaseUrl, nodeArgs: profiled(env) }, "portal-pg-a");
  say(`portal A on PostgreSQL (${new URL(databaseUrl).pathname.slice(1)} at ${admin.host}): ${a.url}`);
  const w = await world(a.url, provider);
  for (const c of opts.pgConcurrency) {
    for (const mode of ["floor", "vault"] as const)
      if (opts.modes.includes(mode) && !wasInterrupted())
        await measure(env, "postgres", mode, mode === "floor" ? floorTarget([a.url]) : vaultTarget([a.url], w.token), c, [a]);
  }
  // Behind one address, as behind a load balancer: both portals are the same issuer.
  const b = await startPortal(
    { dataDir: env.dataDir, port: ports.b, demoProviderPort: provider.port, databaseUrl, extraEnv: { NEXTAUTH_URL: a.url }, nodeArgs: profiled(env) },
    "portal-pg-b",
  );
  say(`portal B on the same database: ${b.url}; virtual agents alternate between A and B`);
  await probe(vaultTarget([b.url], w.token), "vault on portal B");
  const two = Math.max(...opts.pgConcurrency);
  for (const mode of ["floor", "vault"] as const)
    if (opts.modes.includes(mode) && !wasInterrupted())
      await measure(env, "postgres", mode, mode === "floor" ? floorTarget([a.url, b.url]) : vaultTarget([a.url, b.url], w.token), two, [a, b]);
  await Promise.all([a.stop(), b.stop()]);
  const audit = await verifyChains({ kind: "postgres", url: databaseUrl });
  say(
    `audit chain after the PostgreSQL cells: ${audit.rows} rows in ${audit.tenants} tenants, ${audit.broken.length ? `BROKEN ${audit.broken.join("; ")}` : "intact"}`,
  );
  return { audit, database: `PostgreSQL at ${admin.host}` };
}

const benchSecret = Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);

async function main(): Promise<void> {
  const opts = options();
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "vault-bench-"));
  onCleanup(() => rmSync(dataDir, { recursive: true, force: true }));
  const say = (s: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}`);
  const ports = { portal: await freePort(), a: await freePort(), b: await freePort() };

  say("checking the production build (builds when missing or older than the sources)");
  const buildSeconds = await ensureBuild(dataDir, ports.portal);
  const { demoProviderSecret, metricsToken } = ensureDemoSecrets(dataDir);
  // Two-hour access tokens: no refresh happens mid-run, neither on the call path nor by the refresh engine.
  const provider = await startDemoProvider({
    port: 0,
    accessTokenTtlSeconds: 7200,
    testControls: false,
    clients: [
      {
        clientId: "token-vault-portal",
        clientSecret: demoProviderSecret,
        redirectUris: Object.values(ports).flatMap((p) => [`http://127.0.0.1:${p}/api/oauth/callback`, `http://localhost:${p}/api/oauth/callback`]),
      },
      { clientId: "bench-direct", clientSecret: benchSecret, redirectUris: ["http://127.0.0.1:9/bench/callback"] },
    ],
  });
  onCleanup(() => provider.close());
  say(`upstream: Demo Tasks at ${provider.issuer}`);
  const env: Env = { opts, provider, dataDir, metricsToken, say, cells: [] };

  let logs: string[] = [];
  try {
    const pglite = opts.pglite ? await pgliteScenario(env, ports) : { skipped: "--no-pglite" as const };
    let postgres: Awaited<ReturnType<typeof postgresScenario>> | { skipped: string } = { skipped: "--no-postgres" };
    if (opts.databaseUrl) {
      if (await postgresAnswers(opts.databaseUrl)) postgres = await postgresScenario(env, opts.databaseUrl, ports);
      else if (opts.explicitDatabase) throw new Error(`no PostgreSQL server answers at ${opts.databaseUrl.host}`);
      else postgres = { skipped: `no PostgreSQL server at ${opts.databaseUrl.host}` };
    }
    say("token exchange in process (bench/token-exchange.ts)");
    const exchangeInProcess = await benchExchangeInProcess(opts.exchanges);
    const decrypt = await benchDecrypt(20_000);
    const results: Results = {
      date: new Date().toISOString(),
      machine: machine(loadAtStart),
      setup: {
        upstream: "Demo Tasks GET /tasks (bundled provider, in the bench process; opaque token looked up per request)",
        portal: `next start (production build), demo mode, LOG_LEVEL ${process.env.LOG_LEVEL ?? "info"}`,
        client: "node:http keep-alive, closed loop, one connection per virtual agent; two instances: agents alternate between them",
        durationSeconds: opts.duration,
        warmupSeconds: opts.warmup,
      },
      cells: env.cells,
      pglite,
      postgres,
      exchangeInProcess,
      decrypt,
      buildSeconds: Math.round(buildSeconds * 10) / 10,
      totalSeconds: Math.round((Date.now() - started) / 100) / 10,
    };
    writeFileSync(opts.out, JSON.stringify(results, null, 2) + "\n");
    const ok = printResults(results);
    console.log(
      `\nWrote ${path.relative(process.cwd(), opts.out) || opts.out}; ${results.totalSeconds} s in all${buildSeconds > 20 ? ` (${Math.round(buildSeconds)} s of it building)` : ""}.`,
    );
    if (!ok) process.exitCode = 1;
  } catch (e) {
    logs = ["portal-pglite", "portal-pg-a", "portal-pg-b"].map((n) => tail(path.join(dataDir, `${n}.log`), 30)).filter(Boolean);
    for (const l of logs) console.error(l);
    throw e;
  }
}

main()
  .catch((e: Error) => {
    if (!wasInterrupted()) {
      console.error(`bench failed: ${e.message}`);
      process.exitCode = 1;
    }
  })
  .finally(async () => {
    await cleanup();
    if (!wasInterrupted()) process.exit(process.exitCode ?? 0);
  });
