// A real PostgreSQL for integration tests: TEST_DATABASE_URL, else a server on 127.0.0.1:5432, else a
// throwaway cluster from the installed binaries. Used by global-setup.ts (once per run) and by test
// files through inject(); never by app code.
import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import "vitest";

export type TestPostgres =
  { ok: true; url: string; source: "TEST_DATABASE_URL" | "127.0.0.1:5432" | "throwaway cluster"; prefix: string } | { ok: false; error: string };

declare module "vitest" {
  export interface ProvidedContext {
    vaultTestPostgres: TestPostgres;
  }
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs fn on one short-lived client; connection and statements have bounded timeouts. */
export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, statement_timeout: 60_000 });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function answers(url: string): Promise<string | null> {
  try {
    await withClient(url, (c) => c.query("SELECT 1"));
    return null;
  } catch (e) {
    return (e as Error).message || String(e);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return withDatabase(adminUrl, name);
}

/** Drops every database whose name starts with prefix (FORCE ends leftover sessions, PostgreSQL 13+). */
export async function dropDatabases(adminUrl: string, prefix: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1`, [prefix]);
    for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)} WITH (FORCE)`);
  });
}

export function findPostgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  const preferred = path.join(root, "15", "bin");
  if (existsSync(path.join(preferred, "initdb"))) return preferred;
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "initdb")));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], "bin") : null;
}

/** A free loopback port (shared by the throwaway cluster and the connect-flow harness). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export type Cluster = {
  url: string;
  stop: () => void;
  /** Stops the server, keeping its data (a restart, or an outage, as a test wants it). */
  pause: () => void;
  /** Starts it again on the same port with the same data. */
  resume: () => void;
};

/** initdb + pg_ctl in a temp folder on a free loopback port; as `nobody` when we are root (postgres refuses root). */
export async function startThrowawayCluster(bin: string): Promise<Cluster> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "vault-pg-"));
  const data = path.join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  let prefix: string[] = [];
  if (asRoot) {
    const uid = Number(spawnSync("id", ["-u", "nobody"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "nobody"], { encoding: "utf8" }).stdout.trim());
    if (!Number.isInteger(uid)) throw new Error("Cannot start a throwaway PostgreSQL as root: there is no `nobody` user to run it as.");
    chownSync(dir, uid, gid);
    // Absolute paths: /usr/sbin is often missing from PATH under CI runners and npm scripts.
    const runuser = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].find((p) => existsSync(p));
    const setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => existsSync(p));
    if (runuser) prefix = [runuser, "-u", "nobody", "--"];
    else if (setpriv) prefix = [setpriv, `--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--"];
    else throw new Error("Cannot start a throwaway PostgreSQL as root: neither runuser nor setpriv is installed to drop to the `nobody` user.");
  }
  const run = (args: string[], timeout: number) => {
    const [cmd, ...rest] = [...prefix, ...args];
    const r = spawnSync(cmd!, rest, { encoding: "utf8", timeout, cwd: dir });
    if (r.status !== 0) throw new Error(`${args.slice(0, 2).join(" ")} failed: ${(r.stderr || r.stdout || String(r.error)).trim().slice(0, 500)}`);
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    if (existsSync(path.join(data, "postmaster.pid"))) {
      const [cmd, ...rest] = [...prefix, path.join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "-t", "15", "stop"];
      spawnSync(cmd!, rest, { timeout: 20_000, cwd: dir });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run([path.join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C"], 60_000);
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
    const start = () => run([path.join(bin, "pg_ctl"), "-D", data, "-o", opts, "-l", path.join(dir, "server.log"), "-w", "-t", "30", "start"], 40_000);
    start();
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
      stop,
      pause: () => run([path.join(bin, "pg_ctl"), "-D", data, "-m", "fast", "-w", "-t", "30", "stop"], 40_000),
      resume: start,
    };
  } catch (e) {
    stop();
    throw e;
  }
}

export function missingPostgresSentence(details: string[]): string {
  return (
    `PostgreSQL is not available for the integration tests (${details.join("; ")}). ` +
    "Install it with `apt-get install -y postgresql-15` (the tests start a throwaway cluster from /usr/lib/postgresql/15/bin), " +
    "run a server on 127.0.0.1:5432 that user postgres can reach without a password, " +
    "or set TEST_DATABASE_URL=postgresql://user:pass@host:5432/db for a user allowed to CREATE DATABASE."
  );
}
