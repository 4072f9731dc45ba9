// `npm run bench`: what acting through the vault costs, measured side by side in one run.
//
// Builds the production portal when needed (the launcher's own build-stamp logic), starts the bundled
// Demo Tasks provider in this process as the upstream, the portal (`next start`, demo mode, embedded
// PGlite, a throwaway data folder) and a bare Node proxy, all on free loopback ports. Sets everything
// up through the portal's HTTP API, then drives the same upstream call, `GET /tasks` (a real token
// check at the provider), three ways at each concurrency:
//   direct   to the provider with a raw access token;
//   bare     through a Node proxy that only adds a static Authorization header;
//   vault    `POST /api/v1/proxy` with a delegation token (bearer check, PDP decision and its audit
//            event, decryption of the stored token, the provider call, the action's audit event and
//            a signed receipt).
// Closed loop: each virtual agent sends its next request when the previous one has answered. Plus
// the median cost of one token exchange (over HTTP) and of one decryption of a stored token set
// (in process). Prints a table, writes bench/results.json, and stops everything it started.
//
// Usage: npm run bench [-- --duration 5 --warmup 1 --concurrency 1,8,32,128 --exchanges 200 --modes direct,bare,vault --out bench/results.json]
// `--database-url postgresql://user@host:5432/postgres` runs the portal on that PostgreSQL server instead
// of PGlite, in a database the bench creates there and drops at the end.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";

import { startDemoProvider, type DemoProvider } from "../e2e/demo-provider/server";
import { ensureDemoSecrets } from "../lib/env/demo-files";
import { round, runCell, summarize, type CellResult, type Target } from "./load";
import { connectDemoTasks, DelegationToken, exchange, grantDelegation, rawProviderToken, registerAgent, signIn } from "./setup";

const root = path.resolve(import.meta.dirname, "..");
const MODES = ["direct", "bare", "vault"] as const;
type Mode = (typeof MODES)[number];
const MODE_LABEL: Record<Mode, string> = { direct: "direct", bare: "bare proxy", vault: "vault proxy" };

// ---------------------------------------------------------------------------------------------
// Options (bounded, so a typo cannot start an endless run)

function numberOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) usage(`--${name} must be a number from ${min} to ${max} (got "${value}")`);
  return n;
}

/** Optional: a PostgreSQL server (a user allowed to CREATE DATABASE); the bench uses a database of its own there. */
function databaseUrlOption(value: string | undefined): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    usage(`--database-url is not a URL (postgresql://user@127.0.0.1:5432/postgres)`);
  }
  if (!["postgres:", "postgresql:"].includes(url.protocol)) usage("--database-url must be a postgresql:// URL");
  if (!["127.0.0.1", "localhost", "[::1]"].includes(url.hostname)) usage("--database-url must point at this machine (127.0.0.1): the bench stays on loopback");
  return url;
}

function usage(problem: string): never {
  console.error(`bench: ${problem}\nUsage: npm run bench -- [--duration SECONDS] [--warmup SECONDS] [--concurrency 1,8,32,128] [--exchanges N] [--decrypts N] [--modes direct,bare,vault] [--out FILE] [--database-url postgresql://...]`);
  process.exit(2);
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
        exchanges: { type: "string" },
        decrypts: { type: "string" },
        modes: { type: "string" },
        out: { type: "string" },
        "database-url": { type: "string" },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  const concurrency = (values.concurrency ?? "1,8,32,128").split(",").map((s) => numberOption(s.trim(), "concurrency", 1, 1, 512));
  if (concurrency.some((c) => !Number.isInteger(c))) usage("--concurrency takes whole numbers");
  const modes = (values.modes ?? MODES.join(",")).split(",").map((s) => s.trim()) as Mode[];
  if (modes.length === 0 || modes.some((m) => !MODES.includes(m))) usage(`--modes takes a list of ${MODES.join(", ")}`);
  return {
    duration: numberOption(values.duration, "duration", 5, 0.5, 120),
    warmup: numberOption(values.warmup, "warmup", 1, 0, 30),
    concurrency,
    exchanges: Math.round(numberOption(values.exchanges, "exchanges", 200, 10, 10_000)),
    decrypts: Math.round(numberOption(values.decrypts, "decrypts", 20_000, 100, 1_000_000)),
    modes: MODES.filter((m) => modes.includes(m)),
    out: path.resolve(root, values.out ?? "bench/results.json"),
    databaseUrl: databaseUrlOption(values["database-url"]),
  };
}

// ---------------------------------------------------------------------------------------------
// Everything started is stopped again: on success, on failure and on Ctrl-C.

const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await Promise.race([fn(), new Promise((r) => setTimeout(r, 8_000))]);
      } catch {
        // Keep stopping the rest.
      }
    }
  })();
  return cleaning;
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\nbench: ${signal}, stopping what it started...`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** Last resort if the process exits without running cleanup: no child may outlive the bench. */
const children = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of children) killTree(child, "SIGKILL");
});

function killTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const hard = setTimeout(() => killTree(child, "SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(hard);
      children.delete(child);
      resolve();
    });
    killTree(child, "SIGTERM");
  });
}

// ---------------------------------------------------------------------------------------------
// Processes

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The child's environment: demo mode in the throwaway folder, whatever this shell has configured. */
function portalEnv(dataDir: string, port: number, demoProviderPort?: number, databaseUrl?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_URL|VAULT_|NEXTAUTH_|OIDC_|DEMO_PROVIDER_|TSX_)/.test(name)) delete env[name];
  }
  Object.assign(env, {
    NEXT_TELEMETRY_DISABLED: "1",
    VAULT_MODE: "demo",
    VAULT_DATA_DIR: dataDir,
    PORT: String(port),
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
  });
  if (demoProviderPort) env.DEMO_PROVIDER_PORT = String(demoProviderPort);
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  return env;
}

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** The launcher builds when the build is missing or older than the sources, and otherwise does nothing. */
async function ensureBuild(dataDir: string, port: number): Promise<number> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", "--build-only"], { cwd: root, env: portalEnv(dataDir, port), stdio: ["ignore", "pipe", "inherit"], detached: true });
  children.add(child);
  // The launcher's notes about the throwaway folder's generated secrets are noise here; the build's own output is not.
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (!/^(Demo mode: data in|Generated \S+ at )/.test(line)) console.log(line);
  });
  cleanups.push(() => stopChild(child));
  const code = await waitExit(child);
  children.delete(child);
  if (code !== 0) throw new Error(`building the portal failed (exit ${code}); the messages above say why`);
  return (Date.now() - t0) / 1000;
}

async function startPortal(dataDir: string, port: number, demoProviderPort: number, databaseUrl?: string): Promise<{ url: string; logFile: string }> {
  const logFile = path.join(dataDir, "portal.log");
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: root,
    env: portalEnv(dataDir, port, demoProviderPort, databaseUrl),
    stdio: ["ignore", fd, fd],
    detached: true,
  });
  closeSync(fd);
  children.add(child);
  cleanups.push(() => stopChild(child));
  const url = `http://127.0.0.1:${port}`;
  let exited: number | null | undefined;
  child.once("exit", (code) => (exited = code));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`the portal stopped while starting (exit ${exited})\n${tail(logFile)}`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return { url, logFile };
      await res.arrayBuffer();
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the portal did not answer /api/health within 90 s\n${tail(logFile)}`);
}

function startBareProxy(upstream: string, token: string): Promise<string> {
  const child = fork(path.join(import.meta.dirname, "bare-proxy.ts"), [], { cwd: root, stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
  children.add(child);
  cleanups.push(() => stopChild(child));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the bare proxy did not start within 20 s")), 20_000);
    child.once("message", (msg: { port: number }) => {
      clearTimeout(timer);
      resolve(`http://127.0.0.1:${msg.port}`);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the bare proxy stopped (exit ${code})`));
    });
    child.send({ upstream, token });
  });
}

/** A database of the bench's own on the given server, dropped again when the bench ends. */
async function benchDatabase(admin: URL): Promise<string> {
  const { default: pg } = await import("pg");
  const name = `vault_bench_${randomBytes(6).toString("hex")}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.href, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  };
  await run(`CREATE DATABASE ${name}`);
  cleanups.push(() => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(admin.href);
  url.pathname = `/${name}`;
  return url.href;
}

function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return "";
  return `--- last lines of ${file} ---\n${readFileSync(file, "utf8").split("\n").slice(-lines).join("\n")}`;
}

// ---------------------------------------------------------------------------------------------
// Micro measurements

type Stats = { runs: number; medianMs: number; p95Ms: number; meanMs: number };

async function benchExchange(runs: number, once: () => Promise<unknown>): Promise<Stats> {
  for (let i = 0; i < Math.min(20, runs); i++) await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    times.push(performance.now() - t0);
  }
  const s = summarize(times);
  return { runs, medianMs: s.p50Ms, p95Ms: s.p95Ms, meanMs: s.meanMs };
}

/** openTokenSet on a sealed set, as the vault does once per call: AES-256-GCM open, parse, wrap in Secrets, dispose. */
async function benchDecrypt(runs: number): Promise<{ runs: number; medianUs: number; p95Us: number; meanUs: number }> {
  const { parseKeyRing } = await import("../lib/vault/keyring");
  const { openTokenSet, sealTokenSet } = await import("../lib/vault/token-set");
  const ring = parseKeyRing(`1:${randomBytes(32).toString("base64")}`);
  const ctx = { tenantId: "acme", userId: "alice", rowId: randomUUID(), purpose: "connection.tokens" as const };
  const { blob } = sealTokenSet(ring, ctx, {
    accessToken: randomBytes(32).toString("base64url"),
    refreshToken: randomBytes(32).toString("base64url"),
    tokenType: "Bearer",
    expiresAt: Math.floor(Date.now() / 1000) + 3600,
    scope: "tasks.read tasks.write",
  });
  const once = () => openTokenSet(ring, ctx, blob).dispose();
  for (let i = 0; i < Math.min(2_000, runs); i++) once();
  const times = new Float64Array(runs);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    once();
    times[i] = performance.now() - t0;
  }
  const s = summarize(Array.from(times));
  return { runs, medianUs: round(s.p50Ms * 1000, 2), p95Us: round(s.p95Ms * 1000, 2), meanUs: round(s.meanMs * 1000, 2) };
}

// ---------------------------------------------------------------------------------------------
// Output

function machine(loadAtStart: number) {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    /** One-minute load average when the bench started: other work on the machine skews every figure. */
    loadAverageAtStart: round(loadAtStart, 2),
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i <= 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)} %`;
const ms = (n: number) => (Number.isFinite(n) ? (n < 10 ? n.toFixed(2) : n.toFixed(1)) : "-");

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const opts = options();
  const started = Date.now();
  const loadAtStart = os.loadavg()[0]!;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "vault-bench-"));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const portalPort = await freePort();
  const say = (s: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}`);

  say(`checking the production build (builds when missing or older than the sources)`);
  const buildSeconds = await ensureBuild(dataDir, portalPort);

  // The upstream: the bundled Demo Tasks provider, here in-process, with two-hour access tokens so no
  // refresh happens mid-run (neither on the call path nor by the portal's background refresh engine,
  // which renews tokens expiring within the hour). Two clients: the portal's, and the bench's own.
  const { demoProviderSecret } = ensureDemoSecrets(dataDir);
  const benchClient = { clientId: "bench-direct", clientSecret: randomBytes(24).toString("base64url"), redirectUri: "http://127.0.0.1:9/bench/callback" };
  const provider: DemoProvider = await startDemoProvider({
    port: 0,
    accessTokenTtlSeconds: 7200,
    testControls: false,
    clients: [
      { clientId: "token-vault-portal", clientSecret: demoProviderSecret, redirectUris: [`http://127.0.0.1:${portalPort}/api/oauth/callback`, `http://localhost:${portalPort}/api/oauth/callback`] },
      { clientId: benchClient.clientId, clientSecret: benchClient.clientSecret, redirectUris: [benchClient.redirectUri] },
    ],
  });
  cleanups.push(() => provider.close());
  say(`upstream: Demo Tasks at ${provider.issuer}`);

  const databaseUrl = opts.databaseUrl ? await benchDatabase(opts.databaseUrl) : undefined;
  const database = databaseUrl ? `PostgreSQL at ${opts.databaseUrl!.host}` : "embedded PGlite";
  const { url: portal, logFile } = await startPortal(dataDir, portalPort, provider.port, databaseUrl);
  say(`portal: ${portal} (next start, demo mode, ${databaseUrl ? `database ${new URL(databaseUrl).pathname.slice(1)} on ${opts.databaseUrl!.host}` : `PGlite in ${dataDir}`})`);

  try {
    const alice = await signIn(portal, "alice@acme.test");
    const bob = await signIn(portal, "bob@acme.test");
    const connectionId = await connectDemoTasks(alice, provider.issuer, "alice");
    const agent = await registerAgent(bob);
    const delegationId = await grantDelegation(alice, agent.id, connectionId);
    const token = new DelegationToken(() => exchange(portal, agent, delegationId));
    const me = await fetch(`${portal}/api/v1/delegation`, { headers: { authorization: `Bearer ${await token.get()}` } });
    if (me.status !== 200) throw new Error(`GET /api/v1/delegation with the delegation token answered ${me.status}: ${(await me.text()).slice(0, 200)}`);
    await me.arrayBuffer();
    say(`set up over HTTP: alice connected Demo Tasks, bob registered an agent, alice granted it GET /tasks, the agent exchanged`);

    const raw = await rawProviderToken(provider.issuer, benchClient, "alice");
    const bare = await startBareProxy(provider.issuer, raw);
    say(`bare proxy: ${bare}`);

    const checkTasks = (status: number, body: string) => status === 200 && Array.isArray((JSON.parse(body) as { tasks?: unknown }).tasks);
    const targets: Record<Mode, Target> = {
      direct: { url: new URL("/tasks", provider.issuer), method: "GET", headers: () => ({ authorization: `Bearer ${raw}` }), check: checkTasks },
      bare: { url: new URL("/tasks", bare), method: "GET", headers: () => ({}), check: checkTasks },
      vault: {
        url: new URL("/api/v1/proxy", portal),
        method: "POST",
        body: JSON.stringify({ method: "GET", path: "/tasks" }),
        headers: async () => ({ authorization: `Bearer ${await token.get()}` }),
        check: (status, body) => {
          if (status !== 200) return false;
          const answer = JSON.parse(body) as { status?: number; data?: { tasks?: unknown }; receipt?: unknown };
          return answer.status === 200 && Array.isArray(answer.data?.tasks) && typeof answer.receipt === "string";
        },
      },
    };

    // One call each first: a mode that does not work stops the run with its answer.
    for (const mode of opts.modes) {
      const probe = await runCell(targets[mode], 1, 30, { maxRequests: 1 });
      if (probe.errors > 0 || probe.requests === 0) throw new Error(`${MODE_LABEL[mode]}: the first call failed: ${probe.errorSamples[0] ?? "no answer"}`);
    }

    say(`token exchange: ${opts.exchanges} sequential exchanges over HTTP (client_secret_post)`);
    const exchangeStats = await benchExchange(opts.exchanges, () => exchange(portal, agent, delegationId));
    say(`decrypt: ${opts.decrypts} openTokenSet calls in process`);
    const decryptStats = await benchDecrypt(opts.decrypts);

    const statsBefore = provider.stats();
    const cells: Array<CellResult & { mode: Mode }> = [];
    const totalCells = opts.concurrency.length * opts.modes.length;
    say(`load: ${totalCells} cells of ${opts.warmup} s warm-up + ${opts.duration} s, closed loop, GET /tasks`);
    for (const c of opts.concurrency) {
      for (const mode of opts.modes) {
        if (interrupted) return;
        if (opts.warmup > 0) await runCell(targets[mode], c, opts.warmup);
        const cell = await runCell(targets[mode], c, opts.duration);
        cells.push({ mode, ...cell });
        say(`${MODE_LABEL[mode].padEnd(11)} c=${String(c).padStart(3)}  p50 ${ms(cell.p50Ms)} ms  p99 ${ms(cell.p99Ms)} ms  ${cell.rps} rps  ${cell.errors} errors`);
      }
    }

    const at = (mode: Mode, c: number) => cells.find((x) => x.mode === mode && x.concurrency === c);
    const comparison = opts.concurrency.map((c) => {
      const d = at("direct", c);
      const b = at("bare", c);
      const v = at("vault", c);
      return {
        concurrency: c,
        vaultOverDirectP50Ms: d && v ? round(v.p50Ms - d.p50Ms, 3) : null,
        vaultOverDirectP99Ms: d && v ? round(v.p99Ms - d.p99Ms, 3) : null,
        bareOverDirectP50Ms: d && b ? round(b.p50Ms - d.p50Ms, 3) : null,
        vaultRpsOverBareRps: b && v && b.rps > 0 ? round(v.rps / b.rps, 5) : null,
      };
    });
    const errors = cells.reduce((n, c) => n + c.errors, 0);
    const statsAfter = provider.stats();
    const totalSeconds = round((Date.now() - started) / 1000, 1);
    const results = {
      date: new Date().toISOString(),
      machine: machine(loadAtStart),
      setup: {
        upstream: "Demo Tasks GET /tasks (bundled provider, in the bench process; opaque token looked up per request)",
        portal: `next start (production build), demo mode, ${database}, LOG_LEVEL ${process.env.LOG_LEVEL ?? "info"}`,
        database,
        bareProxy: "node:http forwarder in its own process, static Authorization header, keep-alive upstream",
        client: "node:http keep-alive, closed loop, one connection per virtual agent",
        durationSeconds: opts.duration,
        warmupSeconds: opts.warmup,
        concurrency: opts.concurrency,
        modes: opts.modes,
      },
      cells,
      comparison,
      tokenExchange: { ...exchangeStats, over: "HTTP POST /api/oauth/token, client_secret_post, sequential" },
      decrypt: { ...decryptStats, over: "lib/vault/token-set.ts openTokenSet + dispose, in process" },
      delegationTokenExchangesDuringLoad: token.exchanges - 1,
      /** Token requests the upstream saw during the load: 0 means every vault call used the stored access token as is. */
      upstreamTokenRequestsDuringLoad: statsAfter.tokenRequests - statsBefore.tokenRequests,
      errors,
      buildSeconds: round(buildSeconds, 1),
      totalSeconds,
    };
    writeFileSync(opts.out, JSON.stringify(results, null, 2) + "\n");

    const m = results.machine;
    console.log(`\nToken Vault bench, ${results.date}`);
    console.log(`${m.cpus} x ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}`);
    if (m.loadAverageAtStart > m.cpus / 2) console.log(`Note: the machine was busy when the bench started (load average ${m.loadAverageAtStart} on ${m.cpus} CPUs); the figures are noisy.`);
    console.log(`GET /tasks on Demo Tasks; closed loop, ${opts.warmup} s warm-up + ${opts.duration} s per cell; portal on ${database}\n`);
    console.log(
      table(
        ["agents", "mode", "p50 ms", "p95 ms", "p99 ms", "req/s", "errors"],
        cells.map((c) => [String(c.concurrency), MODE_LABEL[c.mode], ms(c.p50Ms), ms(c.p95Ms), ms(c.p99Ms), c.rps.toFixed(0), String(c.errors)]),
      ),
    );
    if (opts.modes.includes("vault")) {
      console.log("");
      console.log(
        table(
          ["agents", "", "vault p50 over direct", "vault p99 over direct", "vault req/s / bare proxy req/s"],
          comparison.map((r) => [String(r.concurrency), "", r.vaultOverDirectP50Ms === null ? "-" : `+${ms(r.vaultOverDirectP50Ms)} ms`, r.vaultOverDirectP99Ms === null ? "-" : `+${ms(r.vaultOverDirectP99Ms)} ms`, r.vaultRpsOverBareRps === null ? "-" : percent(r.vaultRpsOverBareRps)]),
        ),
      );
    }
    console.log(`\ntoken exchange (HTTP, client_secret_post, ${exchangeStats.runs} calls): median ${ms(exchangeStats.medianMs)} ms, p95 ${ms(exchangeStats.p95Ms)} ms`);
    console.log(`decrypt of a stored token set (in process, ${decryptStats.runs} calls): median ${decryptStats.medianUs.toFixed(1)} µs, p95 ${decryptStats.p95Us.toFixed(1)} µs`);
    console.log(`\nWrote ${path.relative(process.cwd(), opts.out) || opts.out}; ${totalSeconds} s in all${buildSeconds > 20 ? ` (${round(buildSeconds, 0)} s of it building)` : ""}.`);
    if (errors > 0) {
      console.error(`\n${errors} requests failed; samples:`);
      for (const c of cells.filter((x) => x.errors > 0)) console.error(`  ${MODE_LABEL[c.mode]} c=${c.concurrency}: ${c.errorSamples.join(" | ")}`);
      process.exitCode = 1;
    }
  } catch (e) {
    console.error(tail(logFile));
    throw e;
  }
}

main()
  .catch((e: Error) => {
    if (!interrupted) {
      console.error(`bench failed: ${e.message}`);
      process.exitCode = 1;
    }
  })
  .finally(async () => {
    await cleanup();
    if (!interrupted) process.exit(process.exitCode ?? 0);
  });
