// What one agent action costs the database, counted statement by statement on the real path
// (bearer check, PDP, provider call to Demo Tasks, audit, receipt) on PGlite and PostgreSQL: a warm
// call sends no statement of its own (its rows and ciphertext are this process's copies, which its
// write-ahead record confirms current), and its two audit events (the write-ahead decision and the
// outcome) cost one statement each when it is alone, far less than one per call when many calls
// share batches.
// Shared by statements.test.ts (PGlite) and statements.postgres.test.ts: each test file is its own
// process with one database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startActionWorld } from "@/lib/testing/action-world";
import { createPostgresDatabase, type DbKind } from "@/lib/testing/db";

export async function describeStatementBudget(kind: DbKind): Promise<void> {
  const database = kind === "postgres" ? await createPostgresDatabase() : null;
  const w = await startActionWorld(database ? { databaseUrl: database.url } : {});
  const { POST } = await import("@/app/api/v1/proxy/route");
  const { sqlStatementCount } = await import("@/lib/db");
  const { auditWriterStats } = await import("@/lib/audit/writer");
  const { verifyTenantChain } = await import("@/lib/audit/verify");

  /** The budget: statements a warm proxy call may send outside the audit writer. */
  const OWN_PATH_BUDGET = 4;

  let token = "";
  const call = () => w.send(POST, "/api/v1/proxy", { body: { method: "GET", path: "/tasks" }, token });

  beforeAll(async () => {
    const id = await w.connect();
    const cnx = await w.db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
    const client = await w.agent();
    token = await w.token(client, (await w.grant(client, cnx)).id);
    // Warm: signing key loaded, rows and the catalogue in memory, the audit head known.
    for (let i = 0; i < 3; i++) expect((await call()).status).toBe(200);
  });

  afterAll(async () => {
    await w.provider.close();
    await database?.drop();
  });

  describe(`statements per proxy call (${kind})`, () => {
    it(`a warm call sends at most ${OWN_PATH_BUDGET} statements of its own, and one per audit event when alone`, async () => {
      const before = { all: sqlStatementCount(), audit: auditWriterStats().statements };
      const res = await call();
      expect(res.status).toBe(200);
      const audit = auditWriterStats().statements - before.audit;
      const own = sqlStatementCount() - before.all - audit;
      expect(own).toBeLessThanOrEqual(OWN_PATH_BUDGET);
      // The ciphertext is this process's copy, confirmed current by the write-ahead record itself.
      expect(own).toBe(0);
      expect(audit).toBe(2);
    });

    it("32 simultaneous calls share audit batches: at most 0.5 audit statements per call", async () => {
      const before = auditWriterStats();
      const answers = await Promise.all(Array.from({ length: 32 }, call));
      expect(answers.map((a) => a.status)).toEqual(Array(32).fill(200));
      const after = auditWriterStats();
      expect(after.events - before.events).toBe(64);
      expect((after.statements - before.statements) / 32).toBeLessThanOrEqual(0.5);
      // Every receipt points at its own audit row, and the chain is whole.
      const seqs = answers.map(
        (a) => JSON.parse(Buffer.from((a.json as { receipt: string }).receipt.split(".")[1]!, "base64url").toString()).audit_seq as number,
      );
      expect(new Set(seqs).size).toBe(32);
      expect((await verifyTenantChain(w.db, "acme")).break).toBeNull();
    });
  });
}
