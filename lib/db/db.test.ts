// The shared Prisma client: ciphertext columns stay out of ordinary query results, and an embedded
// database folder cannot be opened by two processes at once.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { acquirePgliteLock, checkDatabase, closeDb, createPrismaClient, DatabaseLockedError, type DbHandle, getDb, pgliteLockFile } from "@/lib/db";
import { resetEnvCache } from "@/lib/env";
import { createTestDatabase, DB_KINDS } from "@/lib/testing/db";

const BLOB = new Uint8Array([1, 0, 0, 0, 1, 9, 9, 9]);

describe.each(DB_KINDS)("the Prisma client on %s", (kind) => {
  let db: DbHandle;
  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const { prisma } = db;
    await prisma.tenant.create({ data: { id: "t1", name: "Tenant" } });
    await prisma.user.create({ data: { id: "u1", tenantId: "t1", arn: "auth:account:t1:u1", email: "u1@example.test", name: "U" } });
    await prisma.connection.create({
      data: { id: "c1", tenantId: "t1", userId: "u1", providerKey: "github", accountId: "42", label: "GitHub", scopes: ["repo"], encBlob: BLOB, keyVersion: 1 },
    });
    await prisma.providerRegistration.create({ data: { id: "p1", tenantId: "t1", key: "github", clientId: "cid", encBlob: BLOB, keyVersion: 1 } });
    await prisma.pendingAuthorization.create({
      data: {
        id: "a1",
        tenantId: "t1",
        userId: "u1",
        providerKey: "github",
        stateHash: "h",
        sessionBinding: "s",
        encBlob: BLOB,
        keyVersion: 1,
        nonce: "n",
        scopes: [],
        expiresAt: new Date(Date.now() + 300_000),
      },
    });
    await prisma.signingKey.create({ data: { kid: "k1", alg: "ES256", publicJwk: { kty: "EC" }, encBlob: BLOB, keyVersion: 1 } });
  });
  afterAll(async () => db?.close());

  it("omits encBlob from findMany, findUnique, findFirst and create results by default", async () => {
    const { prisma } = db;
    const results: object[] = [
      ...(await prisma.connection.findMany()),
      (await prisma.connection.findUnique({ where: { id: "c1" } }))!,
      (await prisma.providerRegistration.findFirst())!,
      ...(await prisma.pendingAuthorization.findMany()),
      (await prisma.signingKey.findUnique({ where: { kid: "k1" } }))!,
      (await prisma.user.findUnique({ where: { id: "u1" }, include: { connections: true } }))!.connections[0]!,
      await prisma.signingKey.create({ data: { kid: "k2", alg: "ES256", publicJwk: {}, encBlob: BLOB, keyVersion: 1 } }),
    ];
    expect(results).toHaveLength(7);
    for (const row of results) {
      expect(row).toHaveProperty("keyVersion", 1);
      expect(row).not.toHaveProperty("encBlob");
      expect(JSON.stringify(row)).not.toContain("encBlob");
    }
  });

  it("returns encBlob only when a query asks for it", async () => {
    const row = await db.prisma.connection.findUnique({ where: { id: "c1" }, select: { encBlob: true } });
    expect(Buffer.from(row!.encBlob!)).toEqual(Buffer.from(BLOB));
    const omitted = await db.prisma.signingKey.findUnique({ where: { kid: "k1" }, omit: { encBlob: false } });
    expect(Buffer.from(omitted!.encBlob)).toEqual(Buffer.from(BLOB));
  });

  it("round-trips scalar lists, JSON and enum defaults", async () => {
    const c = await db.prisma.connection.findUniqueOrThrow({ where: { id: "c1" } });
    expect(c.scopes).toEqual(["repo"]);
    expect(c.metadata).toEqual({});
    expect(c.status).toBe("active");
  });
});

describe("the PGlite folder lock", () => {
  let root: string;
  const handles: DbHandle[] = [];
  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "vault-lock-"));
  });
  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("refuses a second opener of the same folder with a sentence, and frees the folder on close", async () => {
    const dir = path.join(root, "a", "pglite");
    const first = await createPrismaClient({ kind: "pglite", dir });
    handles.push(first);
    expect(readFileSync(pgliteLockFile(dir), "utf8").split("\n")[0]).toBe(String(process.pid));
    const second = createPrismaClient({ kind: "pglite", dir });
    await expect(second).rejects.toThrow(DatabaseLockedError);
    await expect(second).rejects.toThrow(
      `The portal is already running on ${dir} (pid ${process.pid}): stop it first, or use DATABASE_URL for several processes.`,
    );
    await handles.pop()!.close();
    expect(existsSync(pgliteLockFile(dir))).toBe(false);
    const again = await createPrismaClient({ kind: "pglite", dir });
    handles.push(again);
    expect(await again.prisma.tenant.count()).toBe(0);
  });

  it("refuses when another live process holds the lock", () => {
    const dir = path.join(root, "b", "pglite");
    mkdirSync(path.dirname(dir), { recursive: true });
    writeFileSync(pgliteLockFile(dir), `${process.ppid}\nelsewhere\n`);
    expect(() => acquirePgliteLock(dir)).toThrow(`The portal is already running on ${dir} (pid ${process.ppid})`);
  });

  it("takes over a lock left by a process that has died", async () => {
    const dir = path.join(root, "c", "pglite");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8", timeout: 10_000 }).stdout;
    mkdirSync(path.dirname(dir), { recursive: true });
    writeFileSync(pgliteLockFile(dir), `${dead}\nhost\n`);
    const handle = await createPrismaClient({ kind: "pglite", dir });
    handles.push(handle);
    expect(readFileSync(pgliteLockFile(dir), "utf8").split("\n")[0]).toBe(String(process.pid));
  });
});

describe("getDb, checkDatabase and closeDb", () => {
  let dataDir: string;
  const saved = { ...process.env };
  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), "vault-getdb-"));
    for (const name of ["DATABASE_URL", "VAULT_MASTER_KEY", "NEXTAUTH_SECRET", "OIDC_ISSUER"]) delete process.env[name];
    process.env.VAULT_MODE = "demo";
    process.env.VAULT_DATA_DIR = dataDir;
    resetEnvCache();
  });
  afterAll(async () => {
    await closeDb();
    process.env = saved;
    resetEnvCache();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("shares one migrated client per process, reports health, and releases the folder on close", async () => {
    const [a, b] = await Promise.all([getDb(), getDb()]);
    expect(a).toBe(b);
    expect(await a.user.count()).toBe(0);
    expect(await checkDatabase()).toEqual({ ok: true });
    const lock = pgliteLockFile(path.join(dataDir, "pglite"));
    expect(existsSync(lock)).toBe(true);
    await closeDb();
    expect(existsSync(lock)).toBe(false);
    const c = await getDb();
    expect(c).not.toBe(a);
  });
});
