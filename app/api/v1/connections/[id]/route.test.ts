// Marking a tenant service account through the BFF, on a real demo-mode database: only an
// administrator, only on one of their OWN working connections, at most one per tenant and provider
// (marking a second unmarks the first in the same write), audited as `connection.service_account`,
// only from the portal itself, and shown as `serviceAccount` in the connection DTOs. Another person's
// or another tenant's connection answers 404, like a missing one. Disconnecting unmarks it.
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { insertConnection, PORTAL_ORIGIN, portalBrowser, setRole, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { GET, PATCH, DELETE } = await import("./route");
const list = await import("../route");
const { alice, bob, carol } = world.people;
const db = await getDb();

const ORIGIN = PORTAL_ORIGIN;
const BASE = `${ORIGIN}/api/v1/connections`;
const carolAsAdmin = await setRole(carol, "admin");
const browser = portalBrowser();

type Problem = { code: string; detail: string };
type Dto = { id: string; provider: string; serviceAccount: boolean };
type Marked = { connection: Dto; unmarked: number };

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

function patch(id: string, body: unknown, headers: Record<string, string> = { origin: ORIGIN }) {
  return PATCH(browser.request(`${BASE}/${id}`, { method: "PATCH", body, origin: null, headers }), ctx(id));
}

const marked = async (id: string) => (await db.connection.findUniqueOrThrow({ where: { id } })).isServiceAccount;
const markedIn = async (tenantId: string, providerKey = "demo-tasks") =>
  (await db.connection.findMany({ where: { tenantId, providerKey, isServiceAccount: true }, select: { id: true } })).map((c) => c.id);

/** A refusal with this status and code, whose detail is a sentence, that changed no mark and wrote no audit event. */
async function expectRefused(res: Promise<Response>, status: number, code: string) {
  const before = { acme: await markedIn("acme"), globex: await markedIn("globex"), audit: await db.auditEvent.count() };
  const answer = await res;
  expect(answer.status).toBe(status);
  const problem = (await answer.json()) as Problem;
  expect(problem.code).toBe(code);
  expect(problem.detail).toMatch(/^[A-Z].*\.$/);
  expect({ acme: await markedIn("acme"), globex: await markedIn("globex"), audit: await db.auditEvent.count() }).toEqual(before);
  return problem;
}

beforeEach(async () => {
  await browser.signIn(bob);
  await db.connection.updateMany({ data: { isServiceAccount: false } });
});

afterAll(async () => {
  await world.provider.close();
});

describe("PATCH /api/v1/connections/{id}: the service account", () => {
  it("marks and unmarks an administrator's own connection, auditing each change", async () => {
    const mine = await insertConnection(db, bob, { label: "bob@tasks" });
    const on = await patch(mine.id, { serviceAccount: true });
    expect(on.status).toBe(200);
    expect((await on.json()) as Marked).toMatchObject({ connection: { id: mine.id, provider: "demo-tasks", serviceAccount: true }, unmarked: 0 });
    expect(await marked(mine.id)).toBe(true);

    const off = await patch(mine.id, { serviceAccount: false });
    expect(((await off.json()) as Marked).connection.serviceAccount).toBe(false);
    expect(await marked(mine.id)).toBe(false);

    const events = await db.auditEvent.findMany({ where: { target: mine.id, action: "connection.service_account" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.outcome, e.actorArn, e.details])).toEqual([
      ["success", bob.arn, { provider: "demo-tasks", account: "bob@tasks", serviceAccount: true }],
      ["success", bob.arn, { provider: "demo-tasks", account: "bob@tasks", serviceAccount: false }],
    ]);
  });

  it("keeps at most one per tenant and provider: marking a second unmarks the first; other providers and tenants are untouched", async () => {
    const first = await insertConnection(db, bob);
    const second = await insertConnection(db, bob);
    const github = await insertConnection(db, bob, { provider: "github", scopes: ["repo"] });
    const globex = await insertConnection(db, carolAsAdmin);
    await patch(github.id, { serviceAccount: true });
    await browser.signIn(carolAsAdmin);
    await patch(globex.id, { serviceAccount: true });
    await browser.signIn(bob);

    await patch(first.id, { serviceAccount: true });
    const answer = (await (await patch(second.id, { serviceAccount: true })).json()) as Marked;
    expect(answer).toMatchObject({ connection: { id: second.id, serviceAccount: true }, unmarked: 1 });
    expect(await markedIn("acme")).toEqual([second.id]);
    expect(await markedIn("acme", "github")).toEqual([github.id]);
    expect(await markedIn("globex")).toEqual([globex.id]);
    const event = await db.auditEvent.findFirstOrThrow({ where: { target: second.id, action: "connection.service_account" }, orderBy: { seq: "desc" } });
    expect(event.details).toMatchObject({ serviceAccount: true, replaced: [first.id] });
  });

  it("marking twice, or unmarking an unmarked one, changes and audits nothing", async () => {
    const mine = await insertConnection(db, bob);
    await patch(mine.id, { serviceAccount: true });
    const before = await db.auditEvent.count();
    expect(((await (await patch(mine.id, { serviceAccount: true })).json()) as Marked).connection.serviceAccount).toBe(true);
    const other = await insertConnection(db, bob);
    expect((await patch(other.id, { serviceAccount: false })).status).toBe(200);
    expect(await db.auditEvent.count()).toBe(before);
    expect(await markedIn("acme")).toEqual([mine.id]);
  });

  it("is for administrators only: a person cannot mark even their own connection (403)", async () => {
    const alices = await insertConnection(db, alice);
    await browser.signIn(alice);
    await expectRefused(patch(alices.id, { serviceAccount: true }), 403, "forbidden");
    browser.signOut();
    await expectRefused(patch(alices.id, { serviceAccount: true }), 401, "unauthenticated");
  });

  it("only on the administrator's own connection: someone else's in the tenant, or another tenant's, is not found (404)", async () => {
    const alices = await insertConnection(db, alice);
    const carols = await insertConnection(db, carol);
    const bobs = await insertConnection(db, bob);
    const notMine = await expectRefused(patch(alices.id, { serviceAccount: true }), 404, "not_found");
    const otherTenant = await expectRefused(patch(carols.id, { serviceAccount: true }), 404, "not_found");
    const unknown = await expectRefused(patch("no-such-connection", { serviceAccount: true }), 404, "not_found");
    expect(notMine.detail).toBe(unknown.detail);
    expect(otherTenant.detail).toBe(unknown.detail);
    // An administrator of another tenant gets the same for acme's connections.
    await browser.signIn(carolAsAdmin);
    await expectRefused(patch(bobs.id, { serviceAccount: true }), 404, "not_found");
  });

  it("refuses to mark a connection that needs reconnecting or is disconnected (409), but unmarks one", async () => {
    const broken = await insertConnection(db, bob, { status: "needs_reconnect" });
    const gone = await insertConnection(db, bob, { status: "revoked" });
    expect((await expectRefused(patch(broken.id, { serviceAccount: true }), 409, "connection_unavailable")).detail).toMatch(/reconnect it/);
    await expectRefused(patch(gone.id, { serviceAccount: true }), 409, "connection_unavailable");
    await db.connection.update({ where: { id: broken.id }, data: { isServiceAccount: true } });
    expect(((await (await patch(broken.id, { serviceAccount: false })).json()) as Marked).connection.serviceAccount).toBe(false);
  });

  it("refuses a request from another site, or with no Origin (403 origin_mismatch)", async () => {
    const mine = await insertConnection(db, bob);
    await expectRefused(patch(mine.id, { serviceAccount: true }, { origin: "https://evil.example" }), 403, "origin_mismatch");
    await expectRefused(patch(mine.id, { serviceAccount: true }, {}), 403, "origin_mismatch");
  });

  it("accepts exactly { serviceAccount: boolean } (400 otherwise)", async () => {
    const mine = await insertConnection(db, bob);
    await expectRefused(patch(mine.id, { serviceAccount: "yes" }), 400, "invalid_request");
    await expectRefused(patch(mine.id, {}), 400, "invalid_request");
    await expectRefused(patch(mine.id, { serviceAccount: true, label: "renamed" }), 400, "invalid_request");
    await expectRefused(patch(mine.id, { serviceAccount: true, status: "active" }), 400, "invalid_request");
  });
});

describe("the connection DTO says whether it is the service account", () => {
  it("in GET /api/v1/connections/{id} and in GET /api/v1/connections", async () => {
    const mine = await insertConnection(db, bob);
    const plain = await insertConnection(db, bob);
    await patch(mine.id, { serviceAccount: true });
    const one = (await (await GET(browser.request(`${BASE}/${mine.id}`), ctx(mine.id))).json()) as Dto;
    expect(one.serviceAccount).toBe(true);
    const all = (await (await list.GET(browser.request(BASE))).json()) as { connections: Dto[] };
    const byId = new Map(all.connections.map((c) => [c.id, c.serviceAccount]));
    expect(byId.get(mine.id)).toBe(true);
    expect(byId.get(plain.id)).toBe(false);
    expect(all.connections.every((c) => typeof c.serviceAccount === "boolean")).toBe(true);
  });

  it("disconnecting the service account unmarks it", async () => {
    const mine = await insertConnection(db, bob);
    await patch(mine.id, { serviceAccount: true });
    const res = await DELETE(browser.request(`${BASE}/${mine.id}`, { method: "DELETE" }), ctx(mine.id));
    expect(res.status).toBe(200);
    expect(await marked(mine.id)).toBe(false);
    const event = await db.auditEvent.findFirstOrThrow({ where: { target: mine.id, action: "connection.disconnect" } });
    expect(event.details).toMatchObject({ wasServiceAccount: true });
  });
});
