// The outbox on PostgreSQL: the pump's row lock and the claim's FOR UPDATE SKIP LOCKED lease as they
// run against a real server, with the worker's clock in the test's hands. Every event is delivered
// exactly once; a 500 is not retried before its backoff has passed, and is retried once it has.
import type { IncomingHttpHeaders } from "node:http";

import { afterAll, describe, expect, it } from "vitest";

import { createPostgresDatabase } from "@/lib/testing/db";
import { startConnectWorld, startUpstream } from "@/lib/testing";

const database = await createPostgresDatabase();
const world = await startConnectWorld({ databaseUrl: database.url });
const { getDb, closeDb } = await import("@/lib/db");
const { appendAudit } = await import("@/lib/audit/append");
const { createWebhook } = await import("./admin");
const { runWebhookCycle, BASE_BACKOFF_MS } = await import("./worker");
const { verifyWebhookSignature } = await import("./signature");
const db = await getDb();

const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let failNext = 0;
const receiver = await startUpstream((req, res, body) => {
  received.push({ headers: req.headers, body: body.toString("utf8") });
  res.writeHead(failNext > 0 ? (failNext--, 500) : 204).end();
});

afterAll(async () => {
  await receiver.close();
  await closeDb();
  await database.drop();
});

describe("webhook outbox on PostgreSQL", () => {
  it("delivers every event once, and retries a 500 only after its backoff", async () => {
    const { webhook, secret } = await createWebhook(world.people.bob, { url: `${receiver.url}/in`, description: "", eventTypes: ["approval"] });
    await db.$transaction(async (tx) => {
      for (let i = 0; i < 30; i++) await appendAudit(tx, { tenantId: "acme", action: "approval.requested", outcome: "success", target: `apr_${i}` });
    });
    failNext = 1;
    // The worker's clock runs a little ahead of the pump's, which stamps new deliveries due at real time.
    const t0 = Date.now() + 5000;
    const first = await runWebhookCycle(() => new Date(t0));
    expect(first).toEqual({ queued: 30, attempted: 30, delivered: 29 });
    const failed = await db.webhookDelivery.findFirstOrThrow({ where: { webhookId: webhook.id, status: "pending" } });
    expect(failed).toMatchObject({ attempts: 1, lastStatusCode: 500 });

    expect(await runWebhookCycle(() => new Date(t0 + BASE_BACKOFF_MS - 1000))).toEqual({ queued: 0, attempted: 0, delivered: 0 });
    expect(await runWebhookCycle(() => new Date(t0 + BASE_BACKOFF_MS + 1000))).toEqual({ queued: 0, attempted: 1, delivered: 1 });

    const ids = received.map((r) => r.headers["x-vault-event-id"]);
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(31);
    const now = Math.floor((t0 + BASE_BACKOFF_MS + 1000) / 1000);
    const last = received.at(-1)!;
    expect(verifyWebhookSignature(secret, last.headers["x-vault-signature"] as string, last.body, now, 300)).toMatchObject({ ok: true });
    expect(await db.webhookDelivery.groupBy({ by: ["status"], where: { webhookId: webhook.id }, _count: { _all: true } })).toEqual([
      { status: "delivered", _count: { _all: 30 } },
    ]);
    // Nothing left to do: another pass queues and attempts nothing.
    expect(await runWebhookCycle(() => new Date(t0 + 3 * BASE_BACKOFF_MS))).toEqual({ queued: 0, attempted: 0, delivered: 0 });
  });
});
