// The audit chain verifier: an intact chain passes; changing a row's content, its previous-hash or
// deleting a row is caught at exactly that row; `npm run audit:verify` exits non-zero naming it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrismaClient, type DbHandle } from "@/lib/db";
import { appendAudit } from "./append";
import { verifyAllChains, verifyTenantChain } from "./verify";

const dataDir = mkdtempSync(path.join(tmpdir(), "vault-audit-"));
let handle: DbHandle;

async function seed(tenantId: string, n: number) {
  await handle.prisma.tenant.create({ data: { id: tenantId, name: tenantId } });
  for (let i = 0; i < n; i++) {
    await handle.prisma.$transaction((tx) =>
      appendAudit(tx, { tenantId, action: "test.event", outcome: "success", actorArn: `arn:${i}`, details: { i, nested: { b: 2, a: 1 } } }),
    );
  }
}

function runCli() {
  const res = spawnSync(process.execPath, ["scripts/run-ts.mjs", "scripts/audit-verify.ts"], {
    cwd: process.cwd(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", VAULT_DATA_DIR: dataDir, VAULT_MODE: "demo", LOG_LEVEL: "silent" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: res.status, out: res.stdout + res.stderr };
}

beforeAll(async () => {
  handle = await createPrismaClient({ kind: "pglite", dir: path.join(dataDir, "pglite") });
  await seed("acme", 12);
  await seed("globex", 3);
});

afterAll(async () => {
  await handle?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("audit chain verification", () => {
  it("passes an intact chain, walking it in pages", async () => {
    const report = await verifyTenantChain(handle.prisma, "acme", 5);
    expect(report).toMatchObject({ tenantId: "acme", rows: 12, break: null });
    expect((await verifyAllChains(handle.prisma)).map((r) => [r.tenantId, r.rows, r.break])).toEqual([
      ["acme", 12, null],
      ["globex", 3, null],
    ]);
  });

  it("names the row whose content changed, and the command exits 1", async () => {
    await handle.prisma.$executeRaw`UPDATE "AuditEvent" SET "outcome" = 'failure' WHERE "tenantId" = 'acme' AND "seq" = 7`;
    const report = await verifyTenantChain(handle.prisma, "acme", 5);
    expect(report.break).toMatchObject({ seq: 7, reason: expect.stringContaining("changed") });
    expect(report.rows).toBe(6);

    await handle.close();
    const cli = runCli();
    expect(cli.code).toBe(1);
    expect(cli.out).toMatch(/Tenant acme: BROKEN at row seq 7/);
    expect(cli.out).toMatch(/Tenant globex: 3 rows, chain intact/);
    handle = await createPrismaClient({ kind: "pglite", dir: path.join(dataDir, "pglite") });
    await handle.prisma.$executeRaw`UPDATE "AuditEvent" SET "outcome" = 'success' WHERE "tenantId" = 'acme' AND "seq" = 7`;
    expect((await verifyTenantChain(handle.prisma, "acme")).break).toBeNull();
  });

  it("catches a re-linked previous hash and a deleted row", async () => {
    const row = await handle.prisma.auditEvent.findFirstOrThrow({ where: { tenantId: "globex", seq: 2 } });
    await handle.prisma.auditEvent.update({ where: { id: row.id }, data: { prevHash: "f".repeat(64) } });
    expect((await verifyTenantChain(handle.prisma, "globex")).break).toMatchObject({ seq: 2, reason: expect.stringContaining("previous-hash") });
    await handle.prisma.auditEvent.update({ where: { id: row.id }, data: { prevHash: row.prevHash } });

    await handle.prisma.auditEvent.deleteMany({ where: { tenantId: "acme", seq: 4 } });
    expect((await verifyTenantChain(handle.prisma, "acme")).break).toMatchObject({ seq: 5, reason: expect.stringContaining("jumps from 3 to 5") });
  });

  it("catches rows cut off the end of a chain, which leave no gap behind them", async () => {
    expect((await verifyTenantChain(handle.prisma, "globex")).break).toBeNull();
    await handle.prisma.auditEvent.deleteMany({ where: { tenantId: "globex", seq: 3 } });
    expect((await verifyTenantChain(handle.prisma, "globex")).break).toMatchObject({ seq: 3, reason: expect.stringContaining("cut off its end") });
  });

  it("exits 0 on intact chains", async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), "vault-audit-ok-"));
    const db = await createPrismaClient({ kind: "pglite", dir: path.join(fresh, "pglite") });
    await db.prisma.tenant.create({ data: { id: "acme", name: "acme" } });
    await db.prisma.$transaction((tx) => appendAudit(tx, { tenantId: "acme", action: "a", outcome: "success" }));
    await db.close();
    const res = spawnSync(process.execPath, ["scripts/run-ts.mjs", "scripts/audit-verify.ts"], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", VAULT_DATA_DIR: fresh, VAULT_MODE: "demo" },
      encoding: "utf8",
      timeout: 60_000,
    });
    rmSync(fresh, { recursive: true, force: true });
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Tenant acme: 1 rows, chain intact/);
  });
});
