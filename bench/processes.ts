// The processes the bench starts (the build, portals, the bare proxy, a database of its own) and the
// guarantee that every one of them is stopped again: on success, on failure and on Ctrl-C.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";

export const root = path.resolve(import.meta.dirname, "..");

const cleanups: Array<() => Promise<void> | void> = [];
let cleaning: Promise<void> | undefined;
let interrupted = false;

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export function wasInterrupted(): boolean {
  return interrupted;
}

export function cleanup(): Promise<void> {
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

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export type PortalOptions = {
  dataDir: string;
  port: number;
  demoProviderPort?: number;
  databaseUrl?: string;
  extraEnv?: Record<string, string>;
  nodeArgs?: string[];
};

/** The child's environment: demo mode in the throwaway folder, whatever this shell has configured. */
function portalEnv(o: PortalOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(DATABASE_URL|VAULT_|NEXTAUTH_|OIDC_|DEMO_PROVIDER_|TSX_|NODE_OPTIONS)/.test(name)) delete env[name];
  }
  Object.assign(env, {
    NEXT_TELEMETRY_DISABLED: "1",
    VAULT_MODE: "demo",
    VAULT_DATA_DIR: o.dataDir,
    PORT: String(o.port),
    NEXTAUTH_URL: `http://127.0.0.1:${o.port}`,
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    ...o.extraEnv,
  });
  if (o.demoProviderPort) env.DEMO_PROVIDER_PORT = String(o.demoProviderPort);
  if (o.databaseUrl) env.DATABASE_URL = o.databaseUrl;
  return env;
}

function waitExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

/** The launcher builds when the build is missing or older than the sources, and otherwise does nothing. Returns seconds spent. */
export async function ensureBuild(dataDir: string, port: number): Promise<number> {
  const t0 = Date.now();
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", "--build-only"], {
    cwd: root,
    env: portalEnv({ dataDir, port }),
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  children.add(child);
  // The launcher's notes about the throwaway folder's generated secrets are noise here; the build's own output is not.
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (!/^(Demo mode: data in|Generated \S+ at )/.test(line)) console.log(line);
  });
  onCleanup(() => stopChild(child));
  const code = await waitExit(child);
  children.delete(child);
  if (code !== 0) throw new Error(`building the portal failed (exit ${code}); the messages above say why`);
  return (Date.now() - t0) / 1000;
}

export type Portal = { url: string; logFile: string; pid: number; stop: () => Promise<void> };

/** `next start` of the production build; resolves once /api/health answers 200. */
export async function startPortal(o: PortalOptions, name = "portal"): Promise<Portal> {
  const logFile = path.join(o.dataDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), "node_modules/next/dist/bin/next", "start", "-p", String(o.port), "-H", "127.0.0.1"], {
    cwd: root,
    env: portalEnv(o),
    stdio: ["ignore", fd, fd],
    detached: true,
  });
  closeSync(fd);
  children.add(child);
  const stop = () => stopChild(child);
  onCleanup(stop);
  const url = `http://127.0.0.1:${o.port}`;
  let exited: number | null | undefined;
  child.once("exit", (code) => (exited = code));
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`the ${name} stopped while starting (exit ${exited})\n${tail(logFile)}`);
    try {
      const res = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return { url, logFile, pid: child.pid!, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the ${name} did not answer /api/health within 90 s\n${tail(logFile)}`);
}

export function startBareProxy(upstream: string, token: string): Promise<string> {
  const child = fork(path.join(import.meta.dirname, "bare-proxy.ts"), [], { cwd: root, stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true });
  children.add(child);
  onCleanup(() => stopChild(child));
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

/** Whether a PostgreSQL server answers at this URL's host and port. */
export function postgresAnswers(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: url.hostname, port: Number(url.port || 5432), timeout: 1_000 });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.once("timeout", () => (s.destroy(), resolve(false)));
  });
}

/** A database of the bench's own on the given server, dropped again when the bench ends. */
export async function benchDatabase(admin: URL): Promise<string> {
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
  onCleanup(() => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  const url = new URL(admin.href);
  url.pathname = `/${name}`;
  return url.href;
}

export function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return "";
  return `--- last lines of ${file} ---\n${readFileSync(file, "utf8").split("\n").slice(-lines).join("\n")}`;
}
