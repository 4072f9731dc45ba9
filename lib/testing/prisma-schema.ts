// What the migration tests compare the database against: a small reader for prisma/schema.prisma.
// The generated client's runtime model lacks nullability, lists and indexes, and the Prisma CLI's
// DMMF needs network access here, so the few facts we need are read from the schema text itself.
import { readFileSync } from "node:fs";
import path from "node:path";

export type SchemaField = {
  name: string;
  type: string;
  optional: boolean;
  list: boolean;
  kind: "scalar" | "enum" | "object";
  attributes: string;
};
export type SchemaIndex = { kind: "primary" | "unique" | "index"; columns: string[]; name: string };
export type SchemaRelation = { columns: string[]; references: string[]; model: string; onDelete: string; onUpdate: string };
export type SchemaModel = { name: string; fields: SchemaField[]; indexes: SchemaIndex[]; relations: SchemaRelation[] };
export type PrismaSchema = { enums: Map<string, string[]>; models: Map<string, SchemaModel> };

const SCALARS = new Set(["String", "Boolean", "Int", "BigInt", "Float", "Decimal", "DateTime", "Json", "Bytes"]);

function blocks(text: string, keyword: string): { name: string; body: string[] }[] {
  const out: { name: string; body: string[] }[] = [];
  const re = new RegExp(`^${keyword}\\s+(\\w+)\\s*\\{([\\s\\S]*?)^\\}`, "gm");
  for (const m of text.matchAll(re)) {
    const body = m[2]!
      .split("\n")
      .map((l) => l.replace(/\/\/.*$/, "").trim())
      .filter(Boolean);
    out.push({ name: m[1]!, body });
  }
  return out;
}

const list = (s: string | undefined) =>
  (s ?? "")
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
const argOf = (attr: string, key: string) => new RegExp(`${key}:\\s*(\\w+)`).exec(attr)?.[1];

export function parsePrismaSchema(text: string): PrismaSchema {
  const enums = new Map(blocks(text, "enum").map((b) => [b.name, b.body.map((l) => l.split(/\s+/)[0]!)]));
  const modelNames = new Set(blocks(text, "model").map((b) => b.name));
  const models = new Map<string, SchemaModel>();
  for (const { name, body } of blocks(text, "model")) {
    const model: SchemaModel = { name, fields: [], indexes: [], relations: [] };
    for (const line of body) {
      const block = /^@@(id|unique|index)\(\s*\[([^\]]*)\](.*)\)$/.exec(line);
      if (block) {
        const columns = list(block[2]).map((c) => c.replace(/\(.*\)$/, ""));
        const kind = block[1] === "id" ? "primary" : (block[1] as "unique" | "index");
        const explicit = /map:\s*"([^"]+)"/.exec(block[3]!)?.[1];
        model.indexes.push({ kind, columns, name: explicit ?? defaultIndexName(name, columns, kind) });
        continue;
      }
      if (line.startsWith("@@")) continue;
      const m = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
      if (!m) throw new Error(`Cannot read this line of the Prisma schema (model ${name}): ${line}`);
      const fieldName = m[1]!;
      const type = m[2]!;
      const [isList, isOptional, attributes] = [m[3], m[4], m[5] ?? ""];
      const kind = SCALARS.has(type) ? "scalar" : enums.has(type) ? "enum" : modelNames.has(type) ? "object" : null;
      if (!kind) throw new Error(`Unknown type ${type} for ${name}.${fieldName} in the Prisma schema.`);
      model.fields.push({ name: fieldName, type, list: !!isList, optional: !!isOptional, kind, attributes });
      if (/@id\b/.test(attributes)) model.indexes.push({ kind: "primary", columns: [fieldName], name: `${name}_pkey` });
      if (/@unique\b/.test(attributes)) model.indexes.push({ kind: "unique", columns: [fieldName], name: `${name}_${fieldName}_key` });
      const rel = /@relation\(([^)]*)\)/.exec(attributes)?.[1];
      if (kind === "object" && rel && /fields:/.test(rel)) {
        const columns = list(/fields:\s*\[([^\]]*)\]/.exec(rel)?.[1]);
        // Prisma's defaults: Restrict for a required relation, SetNull for an optional one; Cascade on update.
        const required = !isOptional;
        model.relations.push({
          columns,
          references: list(/references:\s*\[([^\]]*)\]/.exec(rel)?.[1]),
          model: type,
          onDelete: argOf(rel, "onDelete") ?? (required ? "Restrict" : "SetNull"),
          onUpdate: argOf(rel, "onUpdate") ?? "Cascade",
        });
      }
    }
    models.set(name, model);
  }
  return { enums, models };
}

export function defaultIndexName(model: string, columns: string[], kind: SchemaIndex["kind"]): string {
  if (kind === "primary") return `${model}_pkey`;
  return `${model}_${columns.join("_")}_${kind === "unique" ? "key" : "idx"}`;
}

export function readPrismaSchema(file = path.join(process.cwd(), "prisma", "schema.prisma")): PrismaSchema {
  return parsePrismaSchema(readFileSync(file, "utf8"));
}

/** The PostgreSQL udt_name Prisma uses for a scalar (lists are the same name prefixed by "_"). */
export const PG_TYPE: Record<string, string> = {
  String: "text",
  Boolean: "bool",
  Int: "int4",
  BigInt: "int8",
  Float: "float8",
  Decimal: "numeric",
  DateTime: "timestamp",
  Json: "jsonb",
  Bytes: "bytea",
};

export const PG_REFERENTIAL_ACTION: Record<string, string> = { a: "NoAction", r: "Restrict", c: "Cascade", n: "SetNull", d: "SetDefault" };
