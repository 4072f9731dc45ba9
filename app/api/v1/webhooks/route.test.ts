// Webhooks end to end over a real demo-mode database: an administrator subscribes a loopback
// receiver (the only kind demo mode allows besides public https), real audit events (a token
// exchange from the real token endpoint, approval and alert records) become signed deliveries,
// the receiver verifies every signature, a 500 is retried after the backoff, a replayed delivery is
// refused, every delivered body validates against its published schema, and the signing secret is
// answered once and never again. Private addresses are refused; only admins, only from the portal.
import type { IncomingHttpHeaders } from "node:http";

import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import {
  agentWithCredentials,
  DEMO_TASKS_CEILING,
  delegationToken,
  insertConnection,
  insertDelegation,
  portalBrowser,
  startConnectWorld,
  startUpstream,
} from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { appendAudit } = await import("@/lib/audit/append");
const { verifyWebhookSignature } = await import("@/lib/webhooks/signature");
const worker = await import("@/lib/webhooks/worker");
const route = await import("./route");
const byId = await import("./[id]/route");
const test = await import("./[id]/test/route");
const schemasRoute = await import("../event-schemas/route");
const { alice, bob } = world.people;
const db = await getDb();
const browser = portalBrowser();

const BACKOFF_MS = 400;
type Received = { headers: IncomingHttpHeaders; body: string; at: number; status: number };
const received: Received[] = [];
let failNext = 0;
const receiver = await startUpstream((req, res, body) => {
  const status = failNext > 0 ? (failNext--, 500) : 200;
  received.push({ headers: req.headers, body: body.toString("utf8"), at: Date.now(), status });
  res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "try later");
});
afterAll(async () => {
  await worker.stopWebhookWorker();
  await receiver.close();
});

const URL_BASE = "/api/v1/webhooks";
const ALL_TYPES = [
  "token_exchange",
  "token_exchange_request",
  "token_exchange_response",
  "connected_account_link",
  "connected_account_unlink",
  "connected_account_usage",
  "connected_account_reconnect_warning",
  "connected_account_needs_reconnect",
  "agent_identity_delegation",
  "alert",
  "approval",
];

function create(body: unknown, origin?: string | null) {
  return route.POST(browser.request(URL_BASE, { method: "POST", body, ...(origin !== undefined ? { origin } : {}) }));
}
async function list(): Promise<{ webhooks: Array<Record<string, unknown> & { id: string; recent: Array<Record<string, unknown>> }> }> {
  const res = await route.GET(browser.request(URL_BASE));
  expect(res.status).toBe(200);
  return res.json();
}
async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeEach(async () => {
  browser.signOut();
  await browser.signIn(bob);
});

describe("webhooks", () => {
  let hook: { id: string; secret: string };
  let accessToken = "";

  it("refuses non-admins, other sites, bad bodies and private addresses, writing nothing", async () => {
    const before = { hooks: await db.webhook.count(), audit: await db.auditEvent.count() };
    await browser.signIn(alice);
    expect((await create({ url: `${receiver.url}/hook`, eventTypes: ["alert"] })).status).toBe(403);
    expect((await route.GET(browser.request(URL_BASE))).status).toBe(403);
    await browser.signIn(bob);
    expect((await create({ url: `${receiver.url}/hook`, eventTypes: ["alert"] }, "https://evil.example")).status).toBe(403);
    for (const [body, words] of [
      [{ url: "not a url", eventTypes: ["alert"] }, /absolute URL/],
      [{ url: `${receiver.url}/hook`, eventTypes: [] }, /at least one event type/],
      [{ url: `${receiver.url}/hook`, eventTypes: ["password_changed"] }, /expected one of/],
      [{ url: `${receiver.url}/hook`, eventTypes: ["alert"], secret: "mine" }, /secret/],
      // Demo mode lets loopback through, never the private network or the cloud metadata service.
      [{ url: "http://10.0.0.7/hook", eventTypes: ["alert"] }, /https|private/],
      [{ url: "https://169.254.169.254/latest/meta-data", eventTypes: ["alert"] }, /private or local address/],
      [{ url: "https://[fd00::1]/hook", eventTypes: ["alert"] }, /private or local address/],
      [{ url: "http://user:pw@127.0.0.1/hook", eventTypes: ["alert"] }, /user name or password/],
    ] as const) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const problem = (await res.json()) as { detail: string };
      expect(problem.detail).toMatch(words);
    }
    expect({ hooks: await db.webhook.count(), audit: await db.auditEvent.count() }).toEqual(before);
  });

  it("answers the signing secret once, at creation; lists never carry it", async () => {
    const res = await create({ url: `${receiver.url}/hook`, description: "SIEM", eventTypes: ALL_TYPES });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as { webhook: { id: string; eventTypes: string[] }; secret: string };
    expect(answer.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(answer.webhook.eventTypes).toEqual(ALL_TYPES);
    hook = { id: answer.webhook.id, secret: answer.secret };
    const text = JSON.stringify(await list());
    expect(text).toContain(hook.id);
    expect(text).not.toContain(hook.secret);
    expect(text).not.toMatch(/secret|encBlob/i);
    // Stored sealed, not in the clear.
    const row = await db.webhook.findUniqueOrThrow({ where: { id: hook.id }, select: { encBlob: true } });
    expect(Buffer.from(row.encBlob).toString("latin1")).not.toContain(hook.secret);
  });

  it("delivers signed events made from the audit log, retrying a 500 after the backoff", async () => {
    const agent = await agentWithCredentials(db, "acme", { name: "Webhook watcher", ceiling: DEMO_TASKS_CEILING });
    const connection = await insertConnection(db, alice);
    const delegation = await insertDelegation(db, { agentId: agent.agent.id, connection });
    accessToken = await delegationToken(agent, delegation.id); // a real token.exchange audit event
    await db.$transaction(async (tx) => {
      await appendAudit(tx, {
        tenantId: "acme",
        action: "approval.requested",
        outcome: "success",
        actorArn: alice.arn,
        agentId: agent.agent.id,
        target: "apr_1",
        details: { delegationId: delegation.id, expiresAt: new Date(Date.now() + 60_000).toISOString(), body: "must never travel" },
      });
      await appendAudit(tx, {
        tenantId: "acme",
        action: "containment.alert",
        outcome: "success",
        agentId: agent.agent.id,
        target: "alr_1",
        details: { kind: "exchange_velocity", severity: "warning", status: "open" },
      });
    });
    failNext = 1;
    worker.startWebhookWorker({ intervalMs: 50, baseBackoffMs: BACKOFF_MS });
    const want = ["token_exchange_request", "token_exchange_response", "token_exchange", "approval", "alert"];
    await until("every event delivered", () => {
      const delivered = new Set(received.filter((r) => r.status === 200).map((r) => r.headers["x-vault-event-type"]));
      return want.every((t) => delivered.has(t)) ? true : undefined;
    });
    const first = received[0]!;
    expect(first.status).toBe(500);
    const retried = received.filter((r) => r.headers["x-vault-event-id"] === first.headers["x-vault-event-id"]);
    expect(retried).toHaveLength(2);
    expect(retried[1]!.at - retried[0]!.at).toBeGreaterThanOrEqual(BACKOFF_MS);
    expect(retried[1]!.body).toBe(retried[0]!.body);
    for (const r of received) {
      expect(verifyWebhookSignature(hook.secret, r.headers["x-vault-signature"] as string, r.body, new Date(), 300)).toMatchObject({ ok: true });
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.body).not.toContain(accessToken);
      expect(r.body).not.toContain(hook.secret);
      expect(r.body).not.toContain("must never travel");
    }
    const log = (await list()).webhooks.find((w) => w.id === hook.id)!;
    const retriedLog = log.recent.find((d) => d.eventId === first.headers["x-vault-event-id"])!;
    expect(retriedLog).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200, lastError: null });
  });

  it("refuses a replayed delivery outside the tolerance, and a tampered one", () => {
    const r = received[received.length - 1]!;
    const header = r.headers["x-vault-signature"] as string;
    const t = Number(/t=(\d+)/.exec(header)![1]);
    expect(verifyWebhookSignature(hook.secret, header, r.body, t + 300, 300)).toMatchObject({ ok: true });
    expect(verifyWebhookSignature(hook.secret, header, r.body, t + 301, 300)).toEqual({ ok: false, reason: "stale" });
    expect(verifyWebhookSignature(hook.secret, header, r.body, t - 301, 300)).toEqual({ ok: false, reason: "stale" });
    expect(verifyWebhookSignature(hook.secret, header, `${r.body.slice(0, -1)},"extra":1}`, t, 300)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyWebhookSignature("whsec_other", header, r.body, t, 300)).toEqual({ ok: false, reason: "mismatch" });
    // A fresh timestamp does not help a replayer without the secret: the MAC covers it.
    expect(verifyWebhookSignature(hook.secret, header.replace(/t=\d+/, `t=${t + 400}`), r.body, t + 400, 300)).toEqual({ ok: false, reason: "mismatch" });
    expect(verifyWebhookSignature(hook.secret, "v1=abc", r.body, t, 300)).toEqual({ ok: false, reason: "malformed" });
  });

  it("sends a test event on request, and every delivered body validates against its published schema", async () => {
    const res = await test.POST(browser.request(`${URL_BASE}/${hook.id}/test`, { method: "POST" }), { params: Promise.resolve({ id: hook.id }) });
    expect(res.status).toBe(202);
    const { delivery } = (await res.json()) as { delivery: { eventId: string; status: string } };
    expect(delivery.status).toBe("pending");
    await until("the test event", () => received.find((r) => r.headers["x-vault-event-id"] === delivery.eventId));

    const published = (await (await schemasRoute.GET()).json()) as { schemas: Array<{ type: string; version: number; schema: object }> };
    expect(published.schemas.map((s) => s.type)).toEqual([...ALL_TYPES, "webhook_test"]);
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    (addFormatsModule as unknown as (a: Ajv2020) => void)(ajv);
    const validators = new Map(published.schemas.map((s) => [s.type, ajv.compile(s.schema)]));
    const seen = new Set<string>();
    for (const r of received) {
      const event = JSON.parse(r.body) as { type: string; id: string };
      expect(r.headers["x-vault-event-type"]).toBe(event.type);
      expect(r.headers["x-vault-event-id"]).toBe(event.id);
      const validate = validators.get(event.type)!;
      expect(validate(event), `${event.type}: ${JSON.stringify(validate.errors)}`).toBe(true);
      seen.add(event.type);
    }
    expect([...seen].sort()).toEqual(["alert", "approval", "token_exchange", "token_exchange_request", "token_exchange_response", "webhook_test"]);
    // The schemas can fail: an extra field in data, a token say, is refused.
    const sample = JSON.parse(received[0]!.body) as { type: string; data: Record<string, unknown> };
    expect(validators.get(sample.type)!({ ...sample, data: { ...sample.data, access_token: accessToken } })).toBe(false);
  });

  it("keeps an undelivered event in the outbox across a restart of the worker", async () => {
    failNext = 1;
    await db.$transaction((tx) => appendAudit(tx, { tenantId: "acme", action: "approval.denied", outcome: "success", actorArn: alice.arn, target: "apr_2" }));
    const row = await until(
      "a failed first attempt",
      async () => (await db.webhookDelivery.findFirst({ where: { webhookId: hook.id, eventType: "approval", lastStatusCode: 500 } })) ?? undefined,
    );
    await worker.stopWebhookWorker();
    expect(row).toMatchObject({ status: "pending", attempts: 1, lastError: "The receiver answered HTTP 500." });
    worker.startWebhookWorker({ intervalMs: 50, baseBackoffMs: BACKOFF_MS });
    await until("redelivery after the restart", async () =>
      (await db.webhookDelivery.findUniqueOrThrow({ where: { id: row.id } })).status === "delivered" ? true : undefined,
    );
  });

  it("prunes finished deliveries past the retention, never pending ones", async () => {
    const old = new Date(Date.now() - worker.DELIVERY_RETENTION_MS - 60_000);
    const base = { webhookId: hook.id, eventType: "alert", body: "{}", createdAt: old };
    await db.webhookDelivery.createMany({
      data: [
        { ...base, id: "old-delivered", eventId: "evt_old_1", status: "delivered" },
        { ...base, id: "old-failed", eventId: "evt_old_2", status: "failed" },
        { ...base, id: "old-pending", eventId: "evt_old_3", status: "pending", nextAttemptAt: new Date(Date.now() + 3_600_000) },
      ],
    });
    const kept = await db.webhookDelivery.count({ where: { webhookId: hook.id, createdAt: { gt: old } } });
    expect(await worker.pruneDeliveries(new Date())).toBe(2);
    expect((await db.webhookDelivery.findMany({ where: { createdAt: old }, select: { id: true } })).map((r) => r.id)).toEqual(["old-pending"]);
    expect(await db.webhookDelivery.count({ where: { webhookId: hook.id, createdAt: { gt: old } } })).toBe(kept);
  });

  it("deletes a webhook, and answers 404 for one that is gone", async () => {
    const del = () => byId.DELETE(browser.request(`${URL_BASE}/${hook.id}`, { method: "DELETE" }), { params: Promise.resolve({ id: hook.id }) });
    const gone = await del();
    expect(gone.status).toBe(200);
    expect(await gone.json()).toEqual({ deleted: true });
    expect((await list()).webhooks).toEqual([]);
    expect(await db.webhookDelivery.count({ where: { webhookId: hook.id } })).toBe(0);
    const again = await del();
    expect(again.status).toBe(404);
    expect(((await again.json()) as { code: string }).code).toBe("webhook_not_found");
  });
});
