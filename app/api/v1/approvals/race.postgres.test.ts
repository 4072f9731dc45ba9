// On PostgreSQL, where requests truly run at once: many retries of one approved request race, and
// exactly one is let through to the provider (the approval is used up conditionally); racing
// decisions by the owner record exactly one decision. Real delegation tokens, real session cookies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startActionWorld } from "@/lib/testing/action-world";
import { createPostgresDatabase } from "@/lib/testing/db";
import { portalBrowser } from "@/lib/testing/portal-session";
import type { TestClient } from "@/lib/testing/oauth-clients";

const database = await createPostgresDatabase();
const w = await startActionWorld({ databaseUrl: database.url });
const tools = await import("@/app/api/v1/tools/[name]/route");
const approve = await import("./[id]/approve/route");
const deny = await import("./[id]/deny/route");
const { alice } = w.people;
const db = w.db;

let cnx: { id: string; tenantId: string; userId: string };
let client: TestClient;
let apiCalls = 0;
const browser = portalBrowser();

const create = (t: string, title: string, approvalId?: string) =>
  w.send(tools.POST, "/api/v1/tools/demo-tasks.create_task", {
    token: t,
    params: { name: "demo-tasks.create_task" },
    body: { input: { title } },
    headers: approvalId ? { "x-approval-id": approvalId } : {},
  });
async function decide(route: typeof approve, verdict: string, id: string) {
  return browser.send(route.POST, `/api/v1/approvals/${id}/${verdict}`, { method: "POST", params: { id } });
}

beforeAll(async () => {
  const id = await w.connect();
  cnx = await db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  client = await w.agent();
  await browser.signIn(alice);
  w.provider.interceptApi(() => {
    apiCalls++;
    return false;
  });
});

afterAll(async () => {
  w.provider.interceptApi(null);
  await w.provider.close();
  await database.drop();
});

describe("approvals under concurrency on PostgreSQL", () => {
  it("of eight racing retries of one approved request, exactly one reaches the provider", async () => {
    const t = await w.token(client, (await w.grant(client, cnx, { constraints: { approvalForWrites: true } })).id);
    const id = (await create(t, "Exactly once")).json.approval_id as string;
    expect((await decide(approve, "approve", id)).status).toBe(200);
    const before = apiCalls;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => create(t, "Exactly once", i % 2 ? id : undefined)));
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.every((a) => [200, 202, 409].includes(a.status))).toBe(true);
    expect(apiCalls).toBe(before + 1);
    expect(await db.auditEvent.count({ where: { tenantId: "acme", target: id, action: "approval.used" } })).toBe(1);
  });

  it("approve and deny racing: exactly one decision is recorded, the other is told it came too late", async () => {
    const t = await w.token(client, (await w.grant(client, cnx, { constraints: { approvalForWrites: true } })).id);
    const id = (await create(t, "One decision")).json.approval_id as string;
    const answers = await Promise.all([decide(approve, "approve", id), decide(deny, "deny", id), decide(approve, "approve", id)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409]);
    const decisions = await db.auditEvent.findMany({ where: { tenantId: "acme", target: id, action: { in: ["approval.approved", "approval.denied"] } } });
    expect(decisions).toHaveLength(1);
  });
});
