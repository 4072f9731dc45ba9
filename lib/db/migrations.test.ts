// The SQL migrations create exactly what prisma/schema.prisma declares, on PGlite and on PostgreSQL,
// and the applier is idempotent, safe under concurrent starts and refuses an edited migration.
import { afterEach, describe, expect, it } from "vitest";

import { Prisma } from "@/lib/generated/prisma/client";
import { DB_KINDS, createRawDatabase } from "@/lib/testing/db";
import { readPrismaSchema } from "@/lib/testing/prisma-schema";
import { schemaDifferences } from "@/lib/testing/schema-diff";

import { applyMigrations, checksum, readMigrations, type Migration, type SqlRunner } from "./migrate";

const schema = readPrismaSchema();
const migrations = readMigrations();

function edited(edit: (sql: string) => string): Migration[] {
  return migrations.map((m) => {
    const sql = edit(m.sql);
    if (m.name === "0001_init" && sql === m.sql) throw new Error("The edit did not change 0001_init: update this test to the current SQL.");
    return { ...m, sql, checksum: checksum(sql) };
  });
}

async function diffsOf(runner: SqlRunner): Promise<string[]> {
  return runner.session((s) => schemaDifferences(s, schema));
}

async function recorded(runner: SqlRunner): Promise<{ name: string; checksum: string }[]> {
  return runner.session((s) => s.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_vault_migrations" ORDER BY name`));
}

describe.each(DB_KINDS)("migrations on %s", (kind) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });
  async function fresh() {
    const db = await createRawDatabase(kind);
    close = db.close;
    return db;
  }

  it("creates every table, column, enum, index and foreign key of the Prisma schema, and nothing else", async () => {
    expect(schema.models.size).toBeGreaterThan(0);
    const { runner } = await fresh();
    const result = await applyMigrations(runner);
    expect(result.applied).toEqual(migrations.map((m) => m.name));
    expect(await diffsOf(runner)).toEqual([]);
  });

  // The comparison itself must be able to fail: each edit below breaks the SQL in one way.
  it.each([
    ["a column", (sql: string) => sql.replace(`    "label" TEXT NOT NULL,\n`, ""), `column "Connection"."label" is missing`],
    [
      "a NOT NULL",
      (sql: string) => sql.replace(`"accountId" TEXT NOT NULL`, `"accountId" TEXT`),
      `column "Connection"."accountId" is nullable, the schema says required`,
    ],
    [
      "an enum value",
      (sql: string) => sql.replace(`'needs_reconnect', `, ""),
      `enum "ConnectionStatus" has values (active, refreshing, degraded, revoked), the schema says (active, refreshing, degraded, needs_reconnect, revoked)`,
    ],
    [
      "a unique index",
      (sql: string) => sql.replace(/CREATE UNIQUE INDEX "User_tenantId_email_key"[^\n]*\n/, ""),
      `unique index on "User"(tenantId, email) is missing`,
    ],
    [
      "a plain index",
      (sql: string) => sql.replace(/CREATE INDEX "Connection_status_expiresAt_idx"[^\n]*\n/, ""),
      `index on "Connection"(status, expiresAt) is missing`,
    ],
    [
      "a foreign key",
      (sql: string) => sql.replace(/ALTER TABLE "Delegation" ADD CONSTRAINT "Delegation_agentId_fkey"[^\n]*\n/, ""),
      `foreign key "Delegation"(agentId) -> "Agent"(id) is missing`,
    ],
    [
      "an onDelete",
      (sql: string) => sql.replace(/("Connection_userId_fkey"[^\n]*)ON DELETE CASCADE/, "$1ON DELETE RESTRICT"),
      `foreign key "Connection"(userId) -> "User"(id) deletes with Restrict, the schema says Cascade`,
    ],
    [
      "a type",
      (sql: string) =>
        sql.replace(
          `"encBlob" BYTEA NOT NULL,\n    "keyVersion" INTEGER NOT NULL,\n    "status"`,
          `"encBlob" TEXT NOT NULL,\n    "keyVersion" INTEGER NOT NULL,\n    "status"`,
        ),
      `column "SigningKey"."encBlob" has type text, expected bytea`,
    ],
  ])("notices when the SQL loses %s", async (_what, edit, expected) => {
    const { runner } = await fresh();
    await applyMigrations(runner, { migrations: edited(edit) });
    expect(await diffsOf(runner)).toContain(expected);
  });

  it("applies each migration once: a second run is a no-op", async () => {
    const { runner } = await fresh();
    await applyMigrations(runner);
    const again = await applyMigrations(runner);
    expect(again).toEqual({ applied: [], alreadyApplied: migrations.map((m) => m.name) });
    expect(await recorded(runner)).toEqual(migrations.map((m) => ({ name: m.name, checksum: m.checksum })));
  });

  it("applies once when two appliers start at the same time", async () => {
    const { runner, connect } = await fresh();
    const other = await connect();
    const [a, b] = await Promise.all([applyMigrations(runner), applyMigrations(other)]);
    expect([...a.applied, ...b.applied].sort()).toEqual(migrations.map((m) => m.name).sort());
    expect([...a.alreadyApplied, ...b.alreadyApplied].sort()).toEqual(migrations.map((m) => m.name).sort());
    expect(await recorded(runner)).toHaveLength(migrations.length);
    expect(await diffsOf(runner)).toEqual([]);
  });

  it("refuses a migration whose file changed after it was applied, with a sentence", async () => {
    const { runner } = await fresh();
    await applyMigrations(runner);
    const tampered = edited((sql) => `${sql}\n-- an innocent-looking edit\n`);
    await expect(applyMigrations(runner, { migrations: tampered })).rejects.toThrow(
      /Migration 0001_init was changed after it was applied to this database .*: restore the original prisma\/migrations\/0001_init\/migration.sql and put the change in a new migration folder\./,
    );
  });

  it("rolls a failing migration back entirely and says which one failed", async () => {
    const { runner } = await fresh();
    const broken: Migration = { name: "0002_broken", sql: `CREATE TABLE "Half" (id TEXT);\nSELECT no_such_function();`, checksum: "x" };
    await expect(applyMigrations(runner, { migrations: [...migrations, broken] })).rejects.toThrow(/Migration 0002_broken failed and was rolled back/);
    const half = await runner.session((s) => s.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'Half'`));
    expect(half).toEqual([]);
    expect((await recorded(runner)).map((r) => r.name)).toEqual(migrations.map((m) => m.name));
  });
});

describe("the schema reader the comparison relies on", () => {
  // Cross-checked against the generated client, so a model or field the reader skipped cannot hide a gap.
  it("sees every model and scalar field the generated Prisma client knows", () => {
    expect([...schema.models.keys()].sort()).toEqual(Object.values(Prisma.ModelName).sort());
    const enums = Prisma as unknown as Record<string, Record<string, string> | undefined>;
    for (const model of schema.models.values()) {
      const fields = enums[`${model.name}ScalarFieldEnum`];
      expect(fields, `Prisma.${model.name}ScalarFieldEnum`).toBeDefined();
      const scalars = model.fields.filter((f) => f.kind !== "object").map((f) => f.name);
      expect(scalars.sort(), model.name).toEqual(Object.values(fields!).sort());
    }
  });
});

describe("migration files", () => {
  it("live in numbered folders with a postgresql lock file", () => {
    expect(migrations.map((m) => m.name)).toContain("0001_init");
    for (const m of migrations) expect(m.name).toMatch(/^\d{4}_[a-z0-9_]+$/);
  });
});
