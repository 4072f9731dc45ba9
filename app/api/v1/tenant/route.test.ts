// The tenant's settings through the BFF, on a real demo-mode database: only administrators read or
// change them, only from the portal itself (Origin), only with `{ allowServiceAccounts?: boolean,
// mcpClientPolicy?: {...} }` naming at least one, and each change commits with a `tenant.settings`
// audit event holding the values before and after. Every refusal leaves the settings and the audit
// log exactly as they were.
import { afterAll, beforeEach, describe, expect, it } from "vitest";

import { PORTAL_ORIGIN, portalBrowser, setRole, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { GET, PATCH } = await import("./route");
const { alice, bob, carol } = world.people;
const db = await getDb();

const ORIGIN = PORTAL_ORIGIN;
const TENANT_URL = `${ORIGIN}/api/v1/tenant`;
const carolAsAdmin = await setRole(carol, "admin");
const browser = portalBrowser();

type Problem = { code: string; detail: string };
type Settings = { id: string; name: string; allowServiceAccounts: boolean; mcpClientPolicy: Record<string, unknown> };

const EMPTY_CEILING = {
  providers: [],
  tools: [],
  methods: [],
  pathPatterns: [],
  maxDelegationSeconds: 30 * 86_400,
  allowServiceAccount: false,
  approvalTools: [],
  approvalMethods: [],
};
const DEFAULT_POLICY = { whoMayConnect: "everyone", newClients: "approval", defaultCeiling: EMPTY_CEILING, verifiedHosts: [] };

function patch(body: unknown, headers: Record<string, string> = { origin: ORIGIN }) {
  return PATCH(browser.request(TENANT_URL, { method: "PATCH", body, origin: null, headers }));
}

const switchOf = async (tenantId: string) => (await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).allowServiceAccounts;
const settingsEvents = (tenantId: string) => db.auditEvent.findMany({ where: { tenantId, action: "tenant.settings" }, orderBy: { seq: "asc" } });

/** A refusal with this status and code, whose detail is a sentence, that changed nothing. */
async function expectRefused(res: Promise<Response>, status: number, code: string) {
  const before = await switchOf("acme");
  const events = await db.auditEvent.count();
  const answer = await res;
  expect(answer.status).toBe(status);
  const problem = (await answer.json()) as Problem;
  expect(problem.code).toBe(code);
  expect(problem.detail).toMatch(/^[A-Z].*\.$/);
  expect(await switchOf("acme")).toBe(before);
  expect(await db.auditEvent.count()).toBe(events);
}

beforeEach(async () => {
  await browser.signIn(bob);
  await db.tenant.update({ where: { id: "acme" }, data: { allowServiceAccounts: false, mcpClientPolicy: {} } });
});

afterAll(async () => {
  await world.provider.close();
});

describe("GET /api/v1/tenant", () => {
  it("answers the administrator's own tenant settings", async () => {
    const res = await GET(browser.request(TENANT_URL));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ id: "acme", name: "Acme Corp", allowServiceAccounts: false, mcpClientPolicy: DEFAULT_POLICY });
  });

  it("is for administrators only (403), and for people signed in (401)", async () => {
    await browser.signIn(alice);
    expect((await GET(browser.request(TENANT_URL))).status).toBe(403);
    browser.signOut();
    expect((await GET(browser.request(TENANT_URL))).status).toBe(401);
  });
});

describe("PATCH /api/v1/tenant", () => {
  it("turns service accounts on and off, auditing each change with the values before and after", async () => {
    const on = await patch({ allowServiceAccounts: true });
    expect(on.status).toBe(200);
    expect((await on.json()) as Settings).toEqual({ id: "acme", name: "Acme Corp", allowServiceAccounts: true, mcpClientPolicy: DEFAULT_POLICY });
    expect(await switchOf("acme")).toBe(true);

    const off = await patch({ allowServiceAccounts: false });
    expect(((await off.json()) as Settings).allowServiceAccounts).toBe(false);
    expect(await switchOf("acme")).toBe(false);

    const events = (await settingsEvents("acme")).slice(-2);
    expect(events.map((e) => [e.outcome, e.actorArn, e.target, e.details])).toEqual([
      ["success", bob.arn, "acme", { before: { allowServiceAccounts: false }, after: { allowServiceAccounts: true } }],
      ["success", bob.arn, "acme", { before: { allowServiceAccounts: true }, after: { allowServiceAccounts: false } }],
    ]);
  });

  it("writes nothing when the value does not change", async () => {
    const before = await db.auditEvent.count();
    const res = await patch({ allowServiceAccounts: false });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Settings).allowServiceAccounts).toBe(false);
    expect(await db.auditEvent.count()).toBe(before);
  });

  it("refuses a person who is not an administrator (403), and anyone signed out (401)", async () => {
    await browser.signIn(alice);
    await expectRefused(patch({ allowServiceAccounts: true }), 403, "forbidden");
    browser.signOut();
    await expectRefused(patch({ allowServiceAccounts: true }), 401, "unauthenticated");
  });

  it("refuses a request from another site, or with no Origin (403 origin_mismatch)", async () => {
    await expectRefused(patch({ allowServiceAccounts: true }, { origin: "https://evil.example" }), 403, "origin_mismatch");
    await expectRefused(patch({ allowServiceAccounts: true }, { origin: "null" }), 403, "origin_mismatch");
    await expectRefused(patch({ allowServiceAccounts: true }, {}), 403, "origin_mismatch");
  });

  it("accepts only { allowServiceAccounts?: boolean, mcpClientPolicy?: {...} } naming at least one (400 otherwise)", async () => {
    await expectRefused(patch({ allowServiceAccounts: "yes" }), 400, "invalid_request");
    await expectRefused(patch({}), 400, "invalid_request");
    await expectRefused(patch({ allowServiceAccounts: true, name: "Evil Corp" }), 400, "invalid_request");
    await expectRefused(patch({ allowServiceAccounts: true, id: "globex" }), 400, "invalid_request");
  });

  it("changes only the administrator's own tenant", async () => {
    await browser.signIn(carolAsAdmin);
    const res = await patch({ allowServiceAccounts: true });
    expect(((await res.json()) as Settings).id).toBe("globex");
    expect(await switchOf("globex")).toBe(true);
    expect(await switchOf("acme")).toBe(false);
    expect((await settingsEvents("globex")).at(-1)).toMatchObject({ actorArn: carol.arn, target: "globex" });
    await patch({ allowServiceAccounts: false });
  });
});

describe("PATCH /api/v1/tenant: the MCP client policy", () => {
  const policyOf = async (tenantId: string) => (await db.tenant.findUniqueOrThrow({ where: { id: tenantId } })).mcpClientPolicy;
  const ceiling = { providers: ["demo-tasks"], tools: ["demo-tasks.list_tasks"], methods: ["GET"], pathPatterns: ["/tasks"], maxDelegationSeconds: 86_400 };

  it("changes only the fields sent, answers the whole policy, and audits it before and after", async () => {
    const res = await patch({ mcpClientPolicy: { whoMayConnect: "admins" } });
    expect(res.status).toBe(200);
    const settings = (await res.json()) as Settings;
    expect(settings.mcpClientPolicy).toEqual({ ...DEFAULT_POLICY, whoMayConnect: "admins" });
    expect(settings.allowServiceAccounts).toBe(false);

    const next = (await (
      await patch({ mcpClientPolicy: { newClients: "tenant_default", defaultCeiling: ceiling, verifiedHosts: ["Claude.AI", "claude.ai"] } })
    ).json()) as Settings;
    expect(next.mcpClientPolicy).toEqual({
      whoMayConnect: "admins",
      newClients: "tenant_default",
      defaultCeiling: { ...EMPTY_CEILING, ...ceiling },
      verifiedHosts: ["claude.ai"],
    });
    expect(await policyOf("acme")).toEqual(next.mcpClientPolicy);

    const [first, second] = (await settingsEvents("acme")).slice(-2);
    expect(first!.details).toEqual({ before: { mcpClientPolicy: DEFAULT_POLICY }, after: { mcpClientPolicy: { ...DEFAULT_POLICY, whoMayConnect: "admins" } } });
    expect(second!.details).toEqual({
      before: { mcpClientPolicy: { ...DEFAULT_POLICY, whoMayConnect: "admins" } },
      after: { mcpClientPolicy: next.mcpClientPolicy },
    });
    expect(second!.actorArn).toBe(bob.arn);
  });

  it("writes nothing when the policy does not change", async () => {
    const before = await db.auditEvent.count();
    expect((await patch({ mcpClientPolicy: { whoMayConnect: "everyone", newClients: "approval" } })).status).toBe(200);
    expect(await db.auditEvent.count()).toBe(before);
  });

  it("refuses a bad policy with 400 and changes nothing", async () => {
    const refusedPolicy = async (mcpClientPolicy: unknown, code = "invalid_request") => {
      const events = await db.auditEvent.count();
      const res = await patch({ mcpClientPolicy });
      expect(res.status, JSON.stringify(mcpClientPolicy)).toBe(400);
      const problem = (await res.json()) as Problem;
      expect(problem.code).toBe(code);
      expect(problem.detail).toMatch(/^[A-Z].*\.$/);
      expect(await policyOf("acme")).toEqual({});
      expect(await db.auditEvent.count()).toBe(events);
    };
    await refusedPolicy({});
    await refusedPolicy({ whoMayConnect: "anyone" });
    await refusedPolicy({ newClients: "auto" });
    await refusedPolicy({ whoMayConnect: "everyone", extra: true });
    await refusedPolicy({ verifiedHosts: ["https://claude.ai/"] });
    await refusedPolicy({ verifiedHosts: ["*.example.com"] });
    await refusedPolicy({ defaultCeiling: { ...ceiling, methods: ["FETCH"] } });
    await refusedPolicy({ defaultCeiling: { ...ceiling, providers: ["not-in-catalogue"] } }, "provider_not_in_catalogue");
    await refusedPolicy("everyone");
  });

  it("is read and changed by administrators only, from the portal only", async () => {
    await browser.signIn(alice);
    await expectRefused(patch({ mcpClientPolicy: { whoMayConnect: "nobody" } }), 403, "forbidden");
    await browser.signIn(bob);
    await expectRefused(patch({ mcpClientPolicy: { whoMayConnect: "nobody" } }, { origin: "https://evil.example" }), 403, "origin_mismatch");
    expect(await policyOf("acme")).toEqual({});
  });

  it("reads a stored policy it cannot parse as one that lets nobody connect", async () => {
    await db.tenant.update({ where: { id: "acme" }, data: { mcpClientPolicy: { whoMayConnect: 7 } } });
    const settings = (await (await GET(browser.request(TENANT_URL))).json()) as Settings;
    expect(settings.mcpClientPolicy).toEqual({ ...DEFAULT_POLICY, whoMayConnect: "nobody" });
  });
});
