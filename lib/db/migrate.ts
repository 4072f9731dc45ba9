import "server-only";
// Applies the hand-written SQL migrations in prisma/migrations. The Prisma CLI cannot migrate here
// (no schema-engine binary), so the portal migrates itself at start. Several instances may start
// at once against one PostgreSQL: a session-level advisory lock makes each migration run once.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";

export type Row = Record<string, unknown>;

/** One database session: advisory locks and BEGIN/COMMIT only mean something on a single connection. */
export interface SqlSession {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script of several statements (no parameters). */
  exec(script: string): Promise<void>;
}

export interface SqlRunner {
  /** The underlying handle: appliers in one process on the same handle take turns. */
  readonly handle: object;
  session<T>(fn: (s: SqlSession) => Promise<T>): Promise<T>;
}

export type MigrationResult = { applied: string[]; alreadyApplied: string[] };

export class MigrationError extends Error {
  constructor(sentence: string, options?: { cause?: unknown }) {
    super(sentence, options);
    this.name = "MigrationError";
  }
}

/** Fixed key for pg_advisory_lock ("vaultmig" in ASCII); every portal version must keep it. */
export const MIGRATION_LOCK_KEY = "8530228277886675303";
const LOCK_WAIT_MS = 120_000;
const TABLE = "_vault_migrations";

function isPool(db: pg.Pool | pg.ClientBase): db is pg.Pool {
  // Duck-typed so this module needs no runtime import of pg (PGlite setups never load it).
  return "totalCount" in db && "idleCount" in db;
}

export function pgRunner(db: pg.Pool | pg.ClientBase): SqlRunner {
  const wrap = (c: pg.ClientBase): SqlSession => ({
    query: async <T extends Row>(sql: string, params?: unknown[]) => (await c.query(sql, params)).rows as T[],
    exec: async (script: string) => {
      await c.query(script);
    },
  });
  return {
    handle: db,
    session: async (fn) => {
      if (!isPool(db)) return fn(wrap(db));
      const client = await db.connect();
      try {
        return await fn(wrap(client));
      } finally {
        client.release();
      }
    },
  };
}

export function pgliteRunner(db: PGlite): SqlRunner {
  const session: SqlSession = {
    query: async <T extends Row>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
    exec: async (script: string) => {
      await db.exec(script);
    },
  };
  return { handle: db, session: (fn) => fn(session) };
}

export type Migration = { name: string; sql: string; checksum: string };

/** Finds prisma/migrations from the working directory or one of its parents (Next runs from the root). */
export function findMigrationsDir(start = process.cwd()): string {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, "prisma", "migrations");
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new MigrationError(
    `The SQL migrations folder prisma/migrations was not found from ${start} or its parents: start the portal from the project folder (or ship prisma/migrations beside it).`,
  );
}

export function checksum(sql: string): string {
  // Line endings normalised so a Windows checkout of the same migration is not reported as tampered.
  return createHash("sha256").update(sql.replace(/\r\n/g, "\n")).digest("hex");
}

export function readMigrations(dir = findMigrationsDir()): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: checksum(sql) };
    });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function acquireLock(s: SqlSession, waitMs: number): Promise<void> {
  // Polling pg_try_advisory_lock keeps the wait bounded and works the same on PGlite.
  const deadline = Date.now() + waitMs;
  for (;;) {
    const [row] = await s.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1::bigint) AS locked`, [MIGRATION_LOCK_KEY]);
    if (row?.locked) return;
    if (Date.now() > deadline) {
      throw new MigrationError(
        `Another portal instance has held the migration lock for over ${Math.round(waitMs / 1000)} s: wait for it to finish starting, or look for a stuck process holding pg_advisory_lock(${MIGRATION_LOCK_KEY}).`,
      );
    }
    await sleep(200);
  }
}

async function applyLocked(s: SqlSession, migrations: Migration[]): Promise<MigrationResult> {
  await s.exec(`CREATE TABLE IF NOT EXISTS "${TABLE}" (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
  const rows = await s.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "${TABLE}"`);
  const recorded = new Map(rows.map((r) => [r.name, r.checksum]));
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const m of migrations) {
    const previous = recorded.get(m.name);
    if (previous !== undefined) {
      if (previous !== m.checksum) {
        throw new MigrationError(
          `Migration ${m.name} was changed after it was applied to this database (recorded checksum ${previous.slice(0, 12)}, file now ${m.checksum.slice(0, 12)}): restore the original prisma/migrations/${m.name}/migration.sql and put the change in a new migration folder.`,
        );
      }
      result.alreadyApplied.push(m.name);
      continue;
    }
    try {
      await s.exec("BEGIN");
      await s.exec(m.sql);
      await s.query(`INSERT INTO "${TABLE}" (name, checksum) VALUES ($1, $2)`, [m.name, m.checksum]);
      await s.exec("COMMIT");
    } catch (e) {
      await s.exec("ROLLBACK").catch(() => undefined);
      throw new MigrationError(
        `Migration ${m.name} failed and was rolled back: ${(e as Error).message}. Fix the database or the migration, then start again.`,
        { cause: e },
      );
    }
    result.applied.push(m.name);
  }
  return result;
}

// In-process turn-taking per handle: on one session (PGlite, or one pg Client) the advisory lock is
// re-entrant, so two callers would otherwise interleave their statements inside one transaction.
const turns = new WeakMap<object, Promise<unknown>>();

/** Applies every migration not yet recorded, each in its own transaction, under the advisory lock. */
export async function applyMigrations(runner: SqlRunner, options: { migrations?: Migration[]; lockWaitMs?: number } = {}): Promise<MigrationResult> {
  const migrations = options.migrations ?? readMigrations();
  const previous = turns.get(runner.handle) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(() =>
      runner.session(async (s) => {
        await acquireLock(s, options.lockWaitMs ?? LOCK_WAIT_MS);
        try {
          return await applyLocked(s, migrations);
        } finally {
          await s.query(`SELECT pg_advisory_unlock($1::bigint)`, [MIGRATION_LOCK_KEY]).catch(() => undefined);
        }
      }),
    );
  turns.set(runner.handle, run);
  return run;
}
