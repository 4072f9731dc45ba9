// Fresh databases for tests. Test files run in parallel forks, so each call gets its own database
// (a PGlite folder, or a PostgreSQL database named with the run's prefix) and never shares tables.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { inject } from "vitest";

import { createPrismaClient, type DbHandle } from "@/lib/db";
import { pgliteRunner, pgRunner, type SqlRunner } from "@/lib/db/migrate";

import { createDatabase, quoteIdent, type TestPostgres, withClient } from "./postgres";

export type DbKind = "pglite" | "postgres";
export const DB_KINDS: DbKind[] = ["pglite", "postgres"];

/** This run's PostgreSQL; throws global-setup's sentence (so the test FAILS, never skips) when there is none. */
export function requireTestPostgres(): Extract<TestPostgres, { ok: true }> {
  const info = inject("vaultTestPostgres");
  if (!info) throw new Error("lib/testing/global-setup.ts did not run: start the tests with `npx vitest` from the project folder.");
  if (!info.ok) throw new Error(info.error);
  return info;
}

/** An empty PostgreSQL database of its own; drop() removes it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const { url: runUrl, prefix } = requireTestPostgres();
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const url = await createDatabase(runUrl, name);
  return {
    url,
    drop: async () => {
      await withClient(runUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`));
    },
  };
}

function tempDir(): { dir: string; remove: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), "vault-pglite-"));
  return { dir: path.join(root, "pglite"), remove: () => rmSync(root, { recursive: true, force: true }) };
}

/** A fresh, migrated database behind the same client factory the portal uses. */
export async function createTestDatabase(kind: DbKind): Promise<DbHandle & { kind: DbKind }> {
  if (kind === "pglite") {
    const { dir, remove } = tempDir();
    try {
      const handle = await createPrismaClient({ kind: "pglite", dir });
      const close = async () => {
        await handle.close();
        remove();
      };
      return { kind, prisma: handle.prisma, sql: handle.sql, close };
    } catch (e) {
      remove();
      throw e;
    }
  }
  const { url, drop } = await createPostgresDatabase();
  try {
    const handle = await createPrismaClient({ kind: "postgres", url });
    const close = async () => {
      await handle.close();
      await drop();
    };
    return { kind, prisma: handle.prisma, sql: handle.sql, close };
  } catch (e) {
    await drop();
    throw e;
  }
}

/**
 * An empty, unmigrated database with raw SQL access, for migration tests. `connect()` opens another
 * session on the same database (a second pg connection; on PGlite the same single session).
 */
export async function createRawDatabase(kind: DbKind): Promise<{
  runner: SqlRunner;
  connect: () => Promise<SqlRunner>;
  close: () => Promise<void>;
}> {
  if (kind === "pglite") {
    const { dir, remove } = tempDir();
    const db = new PGlite(dir);
    await db.waitReady;
    return {
      runner: pgliteRunner(db),
      connect: async () => pgliteRunner(db),
      close: async () => {
        await db.close();
        remove();
      },
    };
  }
  const { url, drop } = await createPostgresDatabase();
  const clients: pg.Client[] = [];
  const connect = async () => {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, statement_timeout: 60_000 });
    client.on("error", () => undefined);
    await client.connect();
    clients.push(client);
    return pgRunner(client);
  };
  const runner = await connect();
  return {
    runner,
    connect,
    close: async () => {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await drop();
    },
  };
}
