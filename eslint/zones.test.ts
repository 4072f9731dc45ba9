// The lint zones fire on planted violations, and stay quiet on their allowed twins: only lib/vault
// reaches the key ring, decryption and encBlob; a client component imports no server module; domain
// code imports nothing of Next; and an import cycle is an error. Each case lints real files written
// into a throwaway folder inside the project, so path-based zones and the import resolver apply.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

import { ESLint } from "eslint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const plant = `.zone-check-${process.pid}`;
const written: string[] = [];
let eslint: ESLint;

function file(rel: string, text: string): string {
  const full = path.join(root, rel);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  written.push(path.dirname(full));
  return full;
}

async function rulesFiredIn(full: string): Promise<string[]> {
  const [result] = await eslint.lintFiles([full]);
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

afterAll(() => {
  for (const dir of new Set(written)) rmSync(dir, { recursive: true, force: true });
});

describe("only lib/vault reaches the key ring, decryption and encBlob", () => {
  it("an import of the key ring outside lib/vault is an error; inside, it is not", async () => {
    const text = `import { getKeyRing } from "@/lib/vault/crypto/keyring";\nexport const ring = getKeyRing;\n`;
    expect(await rulesFiredIn(file(`lib/orchestration/${plant}/ring.ts`, text))).toContain("no-restricted-imports");
    expect(await rulesFiredIn(file(`lib/vault/${plant}/ring.ts`, `import "server-only";\n${text}`))).toEqual([]);
  });

  it("decrypting outside lib/vault is an error", async () => {
    const text = `import { openTokenSet } from "@/lib/vault/crypto/token-set";\nimport { decrypt } from "../../vault/crypto/encryption";\nexport const both = [openTokenSet, decrypt];\n`;
    const fired = await rulesFiredIn(file(`lib/connections/${plant}/open.ts`, text));
    expect(fired.filter((r) => r === "no-restricted-imports")).toHaveLength(2);
  });

  it("selecting encBlob outside lib/vault is an error, in Prisma and in SQL; inside, it is not", async () => {
    const prisma = `export const q = (db: any) => db.connection.findFirst({ select: { id: true, encBlob: true } });\n`;
    const sql = 'export const s = `SELECT "encBlob" FROM "Connection"`;\n';
    expect(await rulesFiredIn(file(`lib/monitor/${plant}/peek.ts`, prisma))).toContain("no-restricted-syntax");
    expect(await rulesFiredIn(file(`app/api/${plant}/peek.ts`, sql))).toContain("no-restricted-syntax");
    expect(await rulesFiredIn(file(`lib/vault/${plant}/peek.ts`, `import "server-only";\n${prisma}${sql}`))).toEqual([]);
  });
});

describe("a client component imports no server module", () => {
  it('"use client" importing a server-only module, the database or a Node built-in is an error', async () => {
    const text = `"use client";\nimport { Secret } from "@/lib/vault/crypto/secret";\nimport { getDb } from "@/lib/db";\nimport fs from "node:fs";\nexport const x = [Secret, getDb, fs];\n`;
    const fired = await rulesFiredIn(file(`components/${plant}/leak.tsx`, text));
    expect(fired.filter((r) => r === "local/client-boundary")).toHaveLength(3);
  });

  it("the same imports in a server component, and a pure module in a client one, are fine", async () => {
    const server = `import { getDb } from "@/lib/db";\nexport const x = getDb;\n`;
    const client = `"use client";\nimport { VaultError } from "@/lib/errors";\nimport type { Secret } from "@/lib/vault/crypto/secret";\nexport type S = Secret;\nexport const e = VaultError;\n`;
    expect(await rulesFiredIn(file(`app/${plant}/server.tsx`, server))).toEqual([]);
    expect(await rulesFiredIn(file(`components/${plant}/fine.tsx`, client))).toEqual([]);
  });
});

describe("the providers' client-safe half", () => {
  it("a client component may import the client-safe index and tool machinery, not the server index", async () => {
    const fine = `"use client";\nimport { PROVIDER_META, findTool } from "@/lib/providers/meta";\nimport { HTTP_METHODS } from "@/lib/tools/tool";\nexport const x = [PROVIDER_META, findTool, HTTP_METHODS];\n`;
    const leak = `"use client";\nimport { TOOL_DEFINITIONS } from "@/lib/providers";\nimport { provider } from "@/lib/providers/github/provider";\nexport const x = [TOOL_DEFINITIONS, provider];\n`;
    expect(await rulesFiredIn(file(`components/${plant}/provider-meta.tsx`, fine))).toEqual([]);
    expect((await rulesFiredIn(file(`components/${plant}/provider-leak.tsx`, leak))).filter((r) => r === "local/client-boundary")).toHaveLength(2);
  });
});

describe("domain code imports nothing of the web framework", () => {
  it("next/server in lib/pdp is an error; in lib/http it is not", async () => {
    const text = `import { NextResponse } from "next/server";\nexport const r = NextResponse;\n`;
    expect(await rulesFiredIn(file(`lib/pdp/${plant}/answer.ts`, text))).toContain("no-restricted-imports");
    expect(await rulesFiredIn(file(`lib/http/${plant}/answer.ts`, `import "server-only";\n${text}`))).toEqual([]);
  });
});

describe("no import cycles", () => {
  it("two modules importing each other are an error", async () => {
    file(`lib/${plant}/a.ts`, `import { b } from "./b";\nexport const a = () => b;\n`);
    const b = file(`lib/${plant}/b.ts`, `import { a } from "@/lib/${plant}/a";\nexport const b = () => a;\n`);
    expect(await rulesFiredIn(b)).toContain("import-x/no-cycle");
  });
});
