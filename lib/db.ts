import "server-only";
// The one Prisma client of the process. The driver adapter follows the configuration: PGlite in the
// data folder (demo, no server needed) or pg for DATABASE_URL. Migrations run before the client is
// handed out, and ciphertext columns are omitted by default so only lib/vault asks for them.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { env } from "@/lib/env";
import type { DatabaseConfig } from "@/lib/env/schema";
import { PrismaClient } from "@/lib/generated/prisma/client";

import { applyMigrations, pgliteRunner, pgRunner } from "./db/migrate";

/** Every encBlob column, omitted unless a query asks for it (`select: { encBlob: true }`). */
export const ENC_BLOB_OMIT = {
  connection: { encBlob: true },
  providerRegistration: { encBlob: true },
  pendingAuthorization: { encBlob: true },
  signingKey: { encBlob: true },
  webhook: { encBlob: true },
} as const;

export type VaultPrismaClient = PrismaClient<never, typeof ENC_BLOB_OMIT>;

/**
 * Plain SQL on the same database, for the few statements of an agent action (lib/audit/writer.ts,
 * lib/policy/facts.ts, lib/vault/call/provider-call.ts): one round trip each, without an ORM in between.
 * Timestamps are selected as epoch milliseconds so pg and PGlite read them alike.
 */
export interface SqlQuery {
  query<T extends Record<string, unknown> = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}
export interface Sql extends SqlQuery {
  /** BEGIN, `fn` on one session, COMMIT (ROLLBACK when it throws). */
  transaction<T>(fn: (tx: SqlQuery) => Promise<T>): Promise<T>;
}
export type DbHandle = { prisma: VaultPrismaClient; sql: Sql; close: () => Promise<void> };

// Every statement this process sends, whichever client sends it (BEGIN and COMMIT included): the
// bench and the statement-budget test read it.
const stats = ((globalThis as unknown as { __vaultSqlStats?: { statements: number } }).__vaultSqlStats ??= { statements: 0 });

/** Statements sent to the database by this process so far. */
export function sqlStatementCount(): number {
  return stats.statements;
}

type Queryable = { query: (...args: never[]) => unknown; exec?: (...args: never[]) => unknown };

/** Counts each call of `query` (and `exec`) on one driver object, in place. */
function counted<T extends Queryable>(target: T): T {
  for (const name of ["query", "exec"] as const) {
    const original = target[name] as ((...args: unknown[]) => unknown) | undefined;
    if (typeof original !== "function") continue;
    (target as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
      stats.statements += 1;
      return original.apply(this, args);
    };
  }
  return target;
}

export class DatabaseLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(`The portal is already running on ${dir} (pid ${pid}): stop it first, or use DATABASE_URL for several processes.`);
    this.name = "DatabaseLockedError";
  }
}

// Lock files this process holds. A file naming our own pid but missing here was left by an earlier
// process that had the same pid (common in containers, where the portal is often pid 1).
const g = globalThis as unknown as { __vaultPgliteLocks?: Set<string>; __vaultDb?: Promise<DbHandle> };
const heldLocks = (g.__vaultPgliteLocks ??= new Set<string>());

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by another user
  }
}

/** The lock file sits beside the PGlite folder: PGlite owns the folder's contents. */
export function pgliteLockFile(dir: string): string {
  return `${dir.replace(/[\\/]+$/, "")}.lock`;
}

/** Takes the PGlite folder lock or throws DatabaseLockedError; returns the release function. */
export function acquirePgliteLock(dir: string): () => void {
  const file = pgliteLockFile(dir);
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      // "wx" fails when the file exists, so two processes racing here cannot both win.
      writeFileSync(file, `${process.pid}\n${os.hostname()}\n${new Date().toISOString()}\n`, { flag: "wx", mode: 0o600 });
      heldLocks.add(file);
      const release = () => {
        if (!heldLocks.delete(file)) return;
        try {
          if (readFileSync(file, "utf8").split("\n")[0] === String(process.pid)) unlinkSync(file);
        } catch {
          // Already gone.
        }
      };
      process.once("exit", release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let pid = NaN;
    try {
      pid = Number(readFileSync(file, "utf8").split("\n")[0]);
    } catch {
      continue; // removed between our write and this read: try again
    }
    const stale = !Number.isInteger(pid) || pid <= 0 || (pid === process.pid ? !heldLocks.has(file) : !pidAlive(pid));
    if (!stale) throw new DatabaseLockedError(dir, pid);
    try {
      unlinkSync(file);
    } catch {
      // Another starter removed it first; the next attempt decides who wins.
    }
  }
  throw new Error(`Could not take the lock file ${file}: remove it if no portal is running on ${dir}, then start again.`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, sentence: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(sentence)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function openPglite(dir: string): Promise<DbHandle> {
  const inMemory = dir.startsWith("memory://");
  const release = inMemory ? () => undefined : acquirePgliteLock(dir);
  try {
    // Loaded lazily: the WASM build is only needed when no DATABASE_URL is set.
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import("@electric-sql/pglite"), import("pglite-prisma-adapter")]);
    const db = counted(new PGlite(dir));
    // A transaction is BEGIN, its statements (counted on the transaction object) and COMMIT.
    const transaction = db.transaction.bind(db);
    db.transaction = ((fn: (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) => Promise<unknown>) => {
      stats.statements += 2;
      return transaction((tx) => fn(counted(tx)));
    }) as typeof db.transaction;
    try {
      await withTimeout(db.waitReady, 60_000, `The embedded database in ${dir} did not open within 60 s: check the folder is readable and not damaged.`);
      await applyMigrations(pgliteRunner(db));
    } catch (e) {
      await db.close().catch(() => undefined);
      throw e;
    }
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(db), omit: ENC_BLOB_OMIT });
    const sql: Sql = {
      query: async (text, params) => (await db.query(text, params)).rows as never[],
      transaction: (fn) => db.transaction((tx) => fn({ query: async (text, params) => (await tx.query(text, params)).rows as never[] })),
    };
    return {
      prisma,
      sql,
      close: async () => {
        await prisma.$disconnect().catch(() => undefined);
        await db.close().catch(() => undefined);
        release();
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

async function openPostgres(url: string): Promise<DbHandle> {
  const [{ default: pg }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 10_000, max: 10 });
  // An idle client losing its server must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => void counted(client));
  try {
    await applyMigrations(pgRunner(pool));
  } catch (e) {
    await pool.end().catch(() => undefined);
    const message = (e as Error).message;
    if ((e as Error).name === "MigrationError") throw e;
    throw new Error(`Could not prepare the PostgreSQL database at ${redactUrl(url)}: ${message}. Check DATABASE_URL and that the server is reachable.`, {
      cause: e,
    });
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool), omit: ENC_BLOB_OMIT });
  const sql: Sql = {
    query: async (text, params) => (await pool.query(text, params)).rows as never[],
    transaction: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const result = await fn({ query: async (text, params) => (await client.query(text, params)).rows as never[] });
        await client.query("COMMIT");
        return result;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
  };
  return {
    prisma,
    sql,
    close: async () => {
      await prisma.$disconnect().catch(() => undefined);
      await pool.end().catch(() => undefined);
    },
  };
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable DATABASE_URL)";
  }
}

/** A migrated client for this configuration, not shared: for tests and CLI scripts. */
export async function createPrismaClient(database: DatabaseConfig): Promise<DbHandle> {
  return database.kind === "pglite" ? openPglite(database.dir) : openPostgres(database.url);
}

// Keyed on globalThis because Next may bundle this module into several chunks.
function processHandle(): Promise<DbHandle> {
  if (!g.__vaultDb) {
    const opening = createPrismaClient(env().database);
    g.__vaultDb = opening;
    // A failed open is not cached, so the next request retries (after the operator fixed the cause).
    opening.catch(() => {
      if (g.__vaultDb === opening) delete g.__vaultDb;
    });
  }
  return g.__vaultDb;
}

/** The process-wide client. */
export async function getDb(): Promise<VaultPrismaClient> {
  return (await processHandle()).prisma;
}

/** The process-wide plain SQL handle, on the same database (and PGlite instance) as getDb(). */
export async function getSql(): Promise<Sql> {
  return (await processHandle()).sql;
}

export async function closeDb(): Promise<void> {
  const opening = g.__vaultDb;
  delete g.__vaultDb;
  if (!opening) return;
  const handle = await opening.catch(() => null);
  await handle?.close();
}

/** For /api/health: can the database answer a trivial query within five seconds? */
export async function checkDatabase(): Promise<{ ok: boolean; detail?: string }> {
  try {
    const prisma = await withTimeout(getDb(), 15_000, "opening the database took longer than 15 s");
    await withTimeout(prisma.$queryRaw`SELECT 1`, 5_000, "SELECT 1 took longer than 5 s");
    return { ok: true };
  } catch (e) {
    return { ok: false, detail: `The database is not answering: ${(e as Error).message}` };
  }
}
