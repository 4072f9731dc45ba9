// The group-commit writer on a real database: entries submitted together share one batch; a batch
// that fails refuses every entry in it and writes none of them; a decision made on an older policy
// version comes back stale and unwritten; a transactional append in between (which moves the head)
// makes the next batch read the head again, never fork the chain; rate windows are exact inside a
// batch; and the chain verifies after all of it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { startConnectWorld } from "@/lib/testing/connect-harness";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { submitAudit, setInFlightProbe, auditWriterStats, forgetChainState, AuditUnavailableError } = await import("./writer");
const { appendAudit } = await import("./append");
const { verifyTenantChain } = await import("./verify");
const { insertAgent, insertConnection, insertDelegation } = await import("@/lib/testing/fixtures");
const db = await getDb();

const TENANT = "acme";
const event = (marker: string) => ({ tenantId: TENANT, action: "test.event", outcome: "success" as const, details: { marker } });
const plain = (marker: string) => submitAudit({ tenantId: TENANT, prepare: () => ({ events: [event(marker)], value: marker }) });
const headVersion = async () => (await db.auditHead.findUniqueOrThrow({ where: { tenantId: TENANT } })).policyVersion;
const markers = async (prefix: string) =>
  (await db.auditEvent.findMany({ where: { tenantId: TENANT, action: "test.event" }, orderBy: { seq: "asc" } }))
    .map((r) => (r.details as { marker: string }).marker)
    .filter((m) => m.startsWith(prefix));

beforeAll(async () => {
  await db.$executeRawUnsafe(`CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.details->>'marker' LIKE 'poison%' THEN RAISE EXCEPTION 'poisoned row'; END IF; RETURN NEW; END $$`);
  await db.$executeRawUnsafe(`CREATE TRIGGER refuse_poison BEFORE INSERT ON "AuditEvent" FOR EACH ROW EXECUTE FUNCTION refuse_poison()`);
});

afterEach(() => setInFlightProbe(() => 0));

afterAll(async () => {
  await world.provider.close();
});

describe("group commit", () => {
  it("entries submitted together share one statement, in order, each with its own place in the chain", async () => {
    // Many actions in flight: the writer waits a moment (a few milliseconds) for company instead of
    // writing each alone. On a loaded machine the process can be paused longer than that in the
    // middle of submitting, which splits the batch honestly; so up to three rounds, one must share.
    setInFlightProbe(() => 100);
    const batchesPerRound: number[] = [];
    for (let round = 0; round < 3 && !batchesPerRound.includes(1); round++) {
      const before = auditWriterStats();
      const prefix = `together-${round}-`;
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => plain(`${prefix}${i}`)));
      const after = auditWriterStats();
      batchesPerRound.push(after.batches - before.batches);
      expect(after.events - before.events).toBe(20);
      const seqs = outcomes.map((o) => (o.status === "written" ? o.events[0]!.seq : -1));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(20);
      expect(await markers(prefix)).toEqual(Array.from({ length: 20 }, (_, i) => `${prefix}${i}`));
    }
    expect(batchesPerRound, "20 entries submitted at once were written in one batch").toContain(1);
    expect((await verifyTenantChain(db, TENANT)).break).toBeNull();
  });

  it("a batch that fails refuses every caller in it, and writes none of them", async () => {
    setInFlightProbe(() => 100);
    const results = await Promise.allSettled([...Array.from({ length: 9 }, (_, i) => plain(`innocent-${i}`)), plain("poison"), plain("innocent-9")]);
    expect(results.map((r) => r.status)).toEqual(Array(11).fill("rejected"));
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(AuditUnavailableError);
    expect(await markers("innocent-")).toEqual([]);
    // The writer recovers: the next entries go through, and the chain never forked.
    setInFlightProbe(() => 0);
    expect((await plain("after-failure")).status).toBe("written");
    expect((await verifyTenantChain(db, TENANT)).break).toBeNull();
  });

  it("a decision made on an older policy version comes back stale and is not written", async () => {
    const version = await headVersion();
    // Any change a decision reads bumps the version (a trigger, in the change's own transaction).
    await db.tenant.update({ where: { id: TENANT }, data: { allowServiceAccounts: true } });
    await db.tenant.update({ where: { id: TENANT }, data: { allowServiceAccounts: false } });
    expect(await headVersion()).toBe(version + 2);
    const stale = await submitAudit({ tenantId: TENANT, policyVersion: version, prepare: () => ({ events: [event("stale-decision")], value: null }) });
    expect(stale).toEqual({ status: "stale", policyVersion: version + 2 });
    const current = await submitAudit({ tenantId: TENANT, policyVersion: version + 2, prepare: () => ({ events: [event("current-decision")], value: null }) });
    expect(current.status).toBe("written");
    expect(await markers("stale-decision")).toEqual([]);
    expect(await markers("current-decision")).toEqual(["current-decision"]);
  });

  it("a transactional append between two batches moves the head: the next batch reads it again", async () => {
    expect((await plain("batch-1")).status).toBe("written");
    await db.$transaction((tx) => appendAudit(tx, event("transactional")));
    await db.$transaction((tx) => appendAudit(tx, event("transactional-2")));
    expect((await plain("batch-2")).status).toBe("written");
    const rows = await db.auditEvent.findMany({ where: { tenantId: TENANT }, orderBy: { seq: "desc" }, take: 4 });
    expect(rows.map((r) => (r.details as { marker: string }).marker)).toEqual(["batch-2", "transactional-2", "transactional", "batch-1"]);
    const head = await db.auditHead.findUniqueOrThrow({ where: { tenantId: TENANT } });
    expect({ seq: head.seq, hash: head.hash }).toEqual({ seq: rows[0]!.seq, hash: rows[0]!.hash });
    expect((await verifyTenantChain(db, TENANT)).break).toBeNull();
  });

  it("rate windows are exact inside one batch: 10 decisions, a limit of 3, 3 allowed", async () => {
    const agent = await insertAgent(db, TENANT, {});
    const connection = await insertConnection(db, world.people.alice);
    const d = await insertDelegation(db, { agentId: agent.id, connection });
    setInFlightProbe(() => 100);
    const windowMs = 60_000;
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        submitAudit({
          tenantId: TENANT,
          rateDelegations: [d.id],
          prepare: (view) => {
            const allowed = view.recent(d.id, windowMs) < 3;
            if (allowed) view.hit(d.id, windowMs);
            return { events: [event(`rate-${i}-${allowed}`)], value: allowed };
          },
        }),
      ),
    );
    expect(outcomes.map((o) => (o.status === "written" ? o.value : null))).toEqual([true, true, true, false, false, false, false, false, false, false]);
    // The window was stored with the batch: read back from the database, the next decision sees it.
    setInFlightProbe(() => 0);
    forgetChainState(TENANT);
    const next = await submitAudit({ tenantId: TENANT, rateDelegations: [d.id], prepare: (view) => ({ events: [], value: view.recent(d.id, windowMs) }) });
    expect(next).toMatchObject({ status: "written", value: 3 });
  });
});
