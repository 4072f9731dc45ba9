// One agent through the BFF, on a real demo-mode database: suspend and resume, secret rotation with
// its overlap window (the old secret works until the window ends, then never), ceilings checked
// against the catalogue, and every refusal (another tenant, a non-admin, another site, bad input)
// leaving the agent exactly as it was.
import { beforeEach, describe, expect, it } from "vitest";

import { PORTAL_ORIGIN, portalBrowser, setRole, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { verifyAgentSecret } = await import("@/lib/agents/credentials");
const { insertConnection, insertDelegation } = await import("@/lib/testing/fixtures");
const collection = await import("../route");
const { GET, PATCH, DELETE } = await import("./route");

const { alice, bob, carol } = world.people;
const ORIGIN = PORTAL_ORIGIN;
const BASE = `${ORIGIN}/api/v1/agents`;
const carolAsAdmin = await setRole(carol, "admin");
const browser = portalBrowser();

type Agent = {
  id: string;
  clientId: string;
  status: string;
  authMethods: string[];
  previousSecretExpiresAt: string | null;
  ceiling: Record<string, unknown>;
  activeDelegations: number;
};
type Answer = { agent: Agent; client_id: string; client_secret?: string };

async function register(name: string, credentials: object = { secret: true }) {
  const res = await collection.POST(browser.request(BASE, { method: "POST", body: { name, credentials } }));
  expect(res.status).toBe(201);
  return (await res.json()) as Answer;
}

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

function patch(id: string, body: unknown, origin = ORIGIN) {
  return PATCH(browser.request(`${BASE}/${id}`, { method: "PATCH", body, origin }), ctx(id));
}

function remove(id: string, origin = ORIGIN) {
  return DELETE(browser.request(`${BASE}/${id}`, { method: "DELETE", origin }), ctx(id));
}

async function row(id: string) {
  return (await getDb()).agent.findUniqueOrThrow({ where: { id } });
}

async function auditActions(agentId: string) {
  return (await (await getDb()).auditEvent.findMany({ where: { agentId }, orderBy: { seq: "asc" } })).map((e) => e.action);
}

/** A refusal: the status asked for and a problem whose detail is a sentence. Callers compare the row. */
async function expectRefusal(res: Response, status: number) {
  expect(res.status).toBe(status);
  const problem = (await res.json()) as { detail: string; code: string };
  expect(problem.detail).toMatch(/^[A-Z"].*\.$/);
  return problem;
}

beforeEach(async () => {
  await browser.signIn(bob);
});

describe("PATCH /api/v1/agents/{id}: status", () => {
  it("suspends and resumes, auditing each, and reports the status in the DTO", async () => {
    const { agent } = await register("Suspendable");
    const suspended = await patch(agent.id, { status: "suspended" });
    expect(suspended.status).toBe(200);
    expect(((await suspended.json()) as Answer).agent.status).toBe("suspended");
    expect((await row(agent.id)).status).toBe("suspended");
    const resumed = (await (await patch(agent.id, { status: "active" })).json()) as Answer;
    expect(resumed.agent.status).toBe("active");
    expect(resumed.client_secret).toBeUndefined();
    expect(await auditActions(agent.id)).toEqual(["agent.register", "agent.suspend", "agent.resume"]);
  });
});

describe("PATCH /api/v1/agents/{id}: secret rotation", () => {
  it("answers a new secret once; the old one works until the overlap ends, then not", async () => {
    const { agent, client_secret: oldSecret } = await register("Rotating");
    const before = Date.now();
    const res = await patch(agent.id, { rotateSecret: { overlapSeconds: 3600 } });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Answer;
    const newSecret = answer.client_secret!;
    expect(newSecret).toMatch(/^tvs_/);
    expect(newSecret).not.toBe(oldSecret);
    const ends = new Date(answer.agent.previousSecretExpiresAt!);
    expect(ends.getTime()).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(ends.getTime()).toBeLessThanOrEqual(Date.now() + 3_600_000);

    const stored = await row(agent.id);
    expect(await verifyAgentSecret(stored, newSecret)).toBe(true);
    expect(await verifyAgentSecret(stored, oldSecret!)).toBe(true);
    expect(await verifyAgentSecret(stored, oldSecret!, new Date(ends.getTime() - 1000))).toBe(true);
    expect(await verifyAgentSecret(stored, oldSecret!, ends)).toBe(false);
    expect(await verifyAgentSecret(stored, newSecret, new Date(ends.getTime() + 1000))).toBe(true);

    const events = await (await getDb()).auditEvent.findMany({ where: { agentId: agent.id, action: "agent.secret_rotate" } });
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain(newSecret.slice(4));
    expect(JSON.stringify(events)).not.toContain(oldSecret!.slice(4));

    // Shown once: reading the agent again carries neither secret.
    const again = await (await GET(browser.request(`${BASE}/${agent.id}`), ctx(agent.id))).text();
    expect(again).not.toContain(newSecret.slice(4));
    expect(again).not.toContain('"client_secret":');
  });

  it("with no overlap, the old secret stops working at once", async () => {
    const { agent, client_secret: oldSecret } = await register("Hard cut");
    const answer = (await (await patch(agent.id, { rotateSecret: { overlapSeconds: 0 } })).json()) as Answer;
    const stored = await row(agent.id);
    expect(answer.agent.previousSecretExpiresAt).toBeNull();
    expect(stored.previousSecretHash).toBeNull();
    expect(await verifyAgentSecret(stored, oldSecret!)).toBe(false);
    expect(await verifyAgentSecret(stored, answer.client_secret!)).toBe(true);
  });

  it("refuses an overlap longer than a week, and changes nothing", async () => {
    const { agent, client_secret } = await register("Long overlap");
    const before = await row(agent.id);
    await expectRefusal(await patch(agent.id, { rotateSecret: { overlapSeconds: 8 * 86_400 } }), 400);
    const after = await row(agent.id);
    expect(after).toEqual(before);
    expect(await verifyAgentSecret(after, client_secret!)).toBe(true);
  });

  it("issues a first secret for a key-only agent, and refuses to leave an agent with no credential", async () => {
    const jwksUri = "https://agent.example.com/jwks.json";
    const { agent } = await register("Keys first", { secret: false, jwksUri });
    expect((await expectRefusal(await patch(agent.id, { rotateSecret: { overlapSeconds: 0 } }), 400)).code).toBe("no_secret");
    const enabled = (await (await patch(agent.id, { enableSecret: true })).json()) as Answer;
    expect(enabled.client_secret).toMatch(/^tvs_/);
    expect(enabled.agent.authMethods).toEqual(["client_secret", "private_key_jwt"]);
    expect(await verifyAgentSecret(await row(agent.id), enabled.client_secret!)).toBe(true);

    // Dropping the URL is fine while the secret remains; dropping the secret too is not.
    expect((await patch(agent.id, { jwksUri: null })).status).toBe(200);
    const before = await row(agent.id);
    expect((await expectRefusal(await patch(agent.id, { enableSecret: false }), 400)).code).toBe("no_credentials_left");
    expect(await row(agent.id)).toEqual(before);
  });
});

describe("PATCH /api/v1/agents/{id}: ceiling and details", () => {
  it("saves a ceiling of the tenant's providers and their tools", async () => {
    const { agent } = await register("Ceilinged");
    const ceiling = {
      providers: ["demo-tasks"],
      tools: ["demo-tasks.list_tasks", "demo-tasks.whoami"],
      methods: ["GET", "POST"],
      pathPatterns: ["/tasks", "/tasks/*"],
      maxDelegationSeconds: 3 * 86_400,
      allowServiceAccount: true,
      approvalTools: ["demo-tasks.whoami"],
      approvalMethods: ["POST"],
    };
    const res = await patch(agent.id, { ceiling, description: "Reads tasks." });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Answer).agent.ceiling).toEqual(ceiling);
    expect((await row(agent.id)).ceiling).toEqual(ceiling);
    expect(await auditActions(agent.id)).toEqual(["agent.register", "agent.update"]);
  });

  it.each([
    ["a tool of a provider the ceiling leaves out", { ceiling: { providers: [], tools: ["demo-tasks.list_tasks"] } }, "tool_outside_ceiling"],
    ["a provider outside the catalogue", { ceiling: { providers: ["not-in-catalogue"] } }, "provider_not_in_catalogue"],
    ["an unknown field", { ceiling: {}, owner: "carol" }, "invalid_request"],
    ["an empty change", {}, "invalid_request"],
    ["an unknown status", { status: "deleted" }, "invalid_request"],
    ["rotate and enable at once", { rotateSecret: { overlapSeconds: 0 }, enableSecret: true }, "invalid_request"],
  ])("refuses %s with a sentence and changes nothing", async (_label, body, code) => {
    const { agent } = await register(`Refusing ${code} ${Math.random()}`);
    const before = await row(agent.id);
    expect((await expectRefusal(await patch(agent.id, body), 400)).code).toBe(code);
    expect(await row(agent.id)).toEqual(before);
    expect(await auditActions(agent.id)).toEqual(["agent.register"]);
  });
});

describe("refusals by who is asking", () => {
  it("another tenant's admin gets 404 for every method, and nothing changes", async () => {
    const { agent } = await register("Acme only");
    const before = await row(agent.id);
    await browser.signIn(carolAsAdmin);
    expect((await GET(browser.request(`${BASE}/${agent.id}`), ctx(agent.id))).status).toBe(404);
    expect((await expectRefusal(await patch(agent.id, { status: "suspended" }), 404)).code).toBe("not_found");
    expect((await patch(agent.id, { rotateSecret: { overlapSeconds: 0 } })).status).toBe(404);
    expect((await remove(agent.id)).status).toBe(404);
    expect(await row(agent.id)).toEqual(before);
    expect(await auditActions(agent.id)).toEqual(["agent.register"]);
  });

  it("a person who is not an admin gets 403, and nothing changes", async () => {
    const { agent } = await register("Admins only");
    const before = await row(agent.id);
    await browser.signIn(alice);
    expect((await GET(browser.request(`${BASE}/${agent.id}`), ctx(agent.id))).status).toBe(403);
    expect((await patch(agent.id, { status: "suspended" })).status).toBe(403);
    expect((await remove(agent.id)).status).toBe(403);
    expect(await row(agent.id)).toEqual(before);
  });

  it("a request from another site gets 403, and nothing changes", async () => {
    const { agent } = await register("Same site only");
    const before = await row(agent.id);
    expect((await patch(agent.id, { status: "suspended" }, "https://evil.example")).status).toBe(403);
    expect((await patch(agent.id, { rotateSecret: { overlapSeconds: 0 } }, "https://evil.example")).status).toBe(403);
    expect((await remove(agent.id, "https://evil.example")).status).toBe(403);
    expect(await row(agent.id)).toEqual(before);
  });

  it("an unknown id is 404 with a sentence", async () => {
    const res = await GET(browser.request(`${BASE}/nope`), ctx("00000000-0000-0000-0000-000000000000"));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/No agent with this id/);
  });
});

describe("DELETE /api/v1/agents/{id}", () => {
  it("deletes the agent and the delegations to it, and keeps the audit trail", async () => {
    const { agent } = await register("Doomed");
    const db = await getDb();
    await db.agent.update({ where: { id: agent.id }, data: { ceiling: { providers: ["demo-tasks"] } } });
    const connection = await insertConnection(db, alice);
    await insertDelegation(db, { agentId: agent.id, connection });
    expect(((await (await GET(browser.request(`${BASE}/${agent.id}`), ctx(agent.id))).json()) as Agent).activeDelegations).toBe(1);

    const res = await remove(agent.id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: true, delegationsEnded: 1 });
    expect(await db.agent.findUnique({ where: { id: agent.id } })).toBeNull();
    expect(await db.delegation.count({ where: { agentId: agent.id } })).toBe(0);
    expect(await auditActions(agent.id)).toEqual(["agent.register", "agent.delete"]);
    expect((await remove(agent.id)).status).toBe(404);
  });
});
