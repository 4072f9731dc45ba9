// Compares a migrated database with prisma/schema.prisma and lists every difference as a sentence.
// Strict both ways: something missing from the database, or present there but not in the schema.
import type { SqlSession } from "@/lib/db/migrate";

import { PG_REFERENTIAL_ACTION, PG_TYPE, type PrismaSchema } from "./prisma-schema";

const BOOKKEEPING_TABLES = new Set(["_vault_migrations"]);

// Defaults Prisma computes in the client: they must NOT appear in the database.
const CLIENT_SIDE_DEFAULT = /@default\((uuid|cuid|nanoid|ulid)\(/;

type Columns = { table: string; column: string; nullable: string; udt: string; precision: number | null; dflt: string | null };

export async function schemaDifferences(s: SqlSession, schema: PrismaSchema): Promise<string[]> {
  const diffs: string[] = [];
  const tables = new Set(
    (
      await s.query<{ t: string }>(
        `SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
      )
    ).map((r) => r.t),
  );
  const columns = await s.query<Columns>(
    `SELECT table_name::text AS "table", column_name::text AS "column", is_nullable::text AS nullable, udt_name::text AS udt,
            datetime_precision::int AS precision, column_default::text AS dflt
       FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const enums = await s.query<{ name: string; labels: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = current_schema() GROUP BY t.typname`,
  );
  const indexes = await s.query<{ table: string; name: string; unique: boolean; primary: boolean; columns: string[] }>(
    `SELECT t.relname::text AS "table", i.relname::text AS name, ix.indisunique AS "unique", ix.indisprimary AS "primary",
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns
       FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = current_schema()`,
  );
  const fks = await s.query<{ table: string; name: string; ref: string; del: string; upd: string; columns: string[]; refColumns: string[] }>(
    `SELECT t.relname::text AS "table", c.conname::text AS name, ft.relname::text AS ref, c.confdeltype::text AS del, c.confupdtype::text AS upd,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum) AS columns,
            (SELECT array_agg(a.attname::text ORDER BY k.ord) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum) AS "refColumns"
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class ft ON ft.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.contype = 'f' AND n.nspname = current_schema()`,
  );

  // Enums: same names, same values in the same order.
  const dbEnums = new Map(enums.map((e) => [e.name, e.labels]));
  for (const [name, values] of schema.enums) {
    const found = dbEnums.get(name);
    if (!found) diffs.push(`enum type "${name}" is missing`);
    else if (found.join(",") !== values.join(",")) diffs.push(`enum "${name}" has values (${found.join(", ")}), the schema says (${values.join(", ")})`);
  }
  for (const name of dbEnums.keys()) if (!schema.enums.has(name)) diffs.push(`enum type "${name}" exists but is not in the schema`);

  for (const table of tables) if (!schema.models.has(table) && !BOOKKEEPING_TABLES.has(table)) diffs.push(`table "${table}" exists but is not in the schema`);

  for (const model of schema.models.values()) {
    if (!tables.has(model.name)) {
      diffs.push(`table "${model.name}" is missing`);
      continue;
    }
    const dbCols = new Map(columns.filter((c) => c.table === model.name).map((c) => [c.column, c]));
    const scalars = model.fields.filter((f) => f.kind !== "object");
    for (const f of scalars) {
      const col = dbCols.get(f.name);
      const where = `"${model.name}"."${f.name}"`;
      if (!col) {
        diffs.push(`column ${where} is missing`);
        continue;
      }
      const base = f.kind === "enum" ? f.type : PG_TYPE[f.type];
      const expected = f.list ? `_${base}` : base;
      if (col.udt !== expected) diffs.push(`column ${where} has type ${col.udt}, expected ${expected}`);
      if (f.type === "DateTime" && !f.list && col.precision !== 3) diffs.push(`column ${where} has precision ${col.precision}, expected 3`);
      // Prisma creates scalar lists nullable; other fields are NOT NULL unless optional.
      if (!f.list && (col.nullable === "YES") !== f.optional)
        diffs.push(`column ${where} is ${col.nullable === "YES" ? "nullable" : "NOT NULL"}, the schema says ${f.optional ? "optional" : "required"}`);
      const dbDefault = /@default\(/.test(f.attributes) && !CLIENT_SIDE_DEFAULT.test(f.attributes);
      if (dbDefault !== (col.dflt !== null))
        diffs.push(
          `column ${where} ${col.dflt === null ? "has no default" : `has default ${col.dflt}`}, the schema ${dbDefault ? "declares one" : "declares none in the database"}`,
        );
    }
    for (const name of dbCols.keys()) if (!scalars.some((f) => f.name === name)) diffs.push(`column "${model.name}"."${name}" exists but is not in the schema`);

    const dbIdx = indexes.filter((i) => i.table === model.name);
    for (const idx of model.indexes) {
      const found = dbIdx.find(
        (i) => i.columns.join(",") === idx.columns.join(",") && (idx.kind === "index" || i.unique) && (idx.kind !== "primary" || i.primary),
      );
      if (!found)
        diffs.push(
          `${idx.kind === "primary" ? "primary key" : idx.kind === "unique" ? "unique index" : "index"} on "${model.name}"(${idx.columns.join(", ")}) is missing`,
        );
      else if (found.name !== idx.name) diffs.push(`index on "${model.name}"(${idx.columns.join(", ")}) is named ${found.name}, Prisma expects ${idx.name}`);
    }
    for (const i of dbIdx)
      if (!model.indexes.some((idx) => idx.name === i.name)) diffs.push(`index ${i.name} on "${model.name}"(${i.columns.join(", ")}) is not in the schema`);

    const dbFks = fks.filter((f) => f.table === model.name);
    for (const rel of model.relations) {
      const found = dbFks.find(
        (f) => f.columns.join(",") === rel.columns.join(",") && f.ref === rel.model && f.refColumns.join(",") === rel.references.join(","),
      );
      const what = `foreign key "${model.name}"(${rel.columns.join(", ")}) -> "${rel.model}"(${rel.references.join(", ")})`;
      if (!found) diffs.push(`${what} is missing`);
      else {
        if (PG_REFERENTIAL_ACTION[found.del] !== rel.onDelete)
          diffs.push(`${what} deletes with ${PG_REFERENTIAL_ACTION[found.del]}, the schema says ${rel.onDelete}`);
        if (PG_REFERENTIAL_ACTION[found.upd] !== rel.onUpdate)
          diffs.push(`${what} updates with ${PG_REFERENTIAL_ACTION[found.upd]}, the schema says ${rel.onUpdate}`);
        const name = `${model.name}_${rel.columns.join("_")}_fkey`;
        if (found.name !== name) diffs.push(`${what} is named ${found.name}, Prisma expects ${name}`);
      }
    }
    for (const f of dbFks)
      if (!model.relations.some((r) => r.columns.join(",") === f.columns.join(",") && r.model === f.ref))
        diffs.push(`foreign key ${f.name} on "${model.name}" is not in the schema`);
  }
  return diffs;
}
