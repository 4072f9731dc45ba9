// Containment end to end over the real routes: alice's real Demo Tasks connection, agents with real
// vault-issued tokens, bob (admin) with a real session cookie. Enforcement policies are made through
// POST/PATCH /api/v1/policies; what an alert makes the vault do is then proved by the agent's next
// call: dry run records and changes nothing, a live suspension refuses the next call at once, a rate
// limit answers 429 with Retry-After, approval for writes makes writes come back approval_required,
// and a suspension that needs an administrator waits for one. The lifecycle runs through PATCH, and
// an agent sees only the alerts that name it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { agentToken, portalBrowser, startActionWorld, type TestClient } from "@/lib/testing";

const w = await startActionWorld();
const alertsRoute = await import("./route");
const alertRoute = await import("./[id]/route");
const policiesRoute = await import("@/app/api/v1/policies/route");
const policyRoute = await import("@/app/api/v1/policies/[id]/route");
const enforcementRoute = await import("@/app/api/v1/enforcements/[id]/route");
const detectorRoute = await import("@/app/api/v1/detectors/[kind]/route");
const statusRoute = await import("@/app/api/v1/status/route");
const { POST: proxyPost } = await import("@/app/api/v1/proxy/route");
const { issueToken } = await import("@/lib/testing/agent-tokens");
const { exchangeParams } = await import("@/lib/testing/oauth-clients");
const { resetDetectors } = await import("@/lib/containment/detectors");
const { bob, alice } = w.people;
const agentGet = (req: Request) => alertsRoute.GET(req, { params: Promise.resolve({}) });
const admin = portalBrowser();
const person = portalBrowser();

let cnx: { id: string; tenantId: string; userId: string };

beforeAll(async () => {
  const id = await w.connect();
  cnx = await w.db.connection.findUniqueOrThrow({ where: { id }, select: { id: true, tenantId: true, userId: true } });
  await w.rememberTokens(id);
  await admin.signIn(bob);
  await person.signIn(alice);
  resetDetectors();
});

afterAll(async () => {
  await w.provider.close();
});

async function json(res: Response) {
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}
const policies = {
  create: (body: unknown) => admin.send(policiesRoute.POST, "/api/v1/policies", { method: "POST", body }).then(json),
  update: (id: string, body: unknown) => admin.send(policyRoute.PATCH, `/api/v1/policies/${id}`, { method: "PATCH", body, params: { id } }).then(json),
};
const listAlerts = async (query = "") => (await json(await admin.send(alertsRoute.GET, `/api/v1/alerts${query}`))).body.alerts as any[];
const patchAlert = (id: string, status: string) =>
  admin.send(alertRoute.PATCH, `/api/v1/alerts/${id}`, { method: "PATCH", body: { status }, params: { id } }).then(json);
const setDetector = (kind: string, body: unknown) =>
  admin.send(detectorRoute.PATCH, `/api/v1/detectors/${kind}`, { method: "PATCH", body, params: { kind } }).then(json);

async function agentWithToken(): Promise<{ client: TestClient; token: string; delegationId: string }> {
  const client = await w.agent();
  const d = await w.grant(client, cnx);
  return { client, token: await w.token(client, d.id), delegationId: d.id };
}
const list = (token: string) => w.send(proxyPost, "/api/v1/proxy", { body: { method: "GET", path: "/tasks" }, token });
const create = (token: string) => w.send(proxyPost, "/api/v1/proxy", { body: { method: "POST", path: "/tasks", body: { title: "From an agent" } }, token });
const alertsOf = async (agentId: string, kind: string) => (await listAlerts(`?kind=${kind}`)).filter((a) => a.agentId === agentId);
/** Presents another agent's delegation at the token endpoint (refused, and unauthorized access). */
const presentForeign = (client: TestClient, delegationId: string) => issueToken(client, exchangeParams(delegationId)).catch((e: Error) => e.message);

describe("policies", () => {
  it("are created and changed by administrators only, and so are detector settings, with a sentence for bad input", async () => {
    const bad = await policies.create({ detector: "exchange_velocity", action: "explode" });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/action/);
    const notAdmin = await json(
      await person.send(policiesRoute.POST, "/api/v1/policies", { method: "POST", body: { detector: "denial_storm", action: "log" } }),
    );
    expect(notAdmin.status).toBe(403);
    const approvalOnLog = await policies.create({ detector: "denial_storm", action: "log", requireAdminApproval: true });
    expect(approvalOnLog.status).toBe(400);
    for (const [kind, body] of [
      ["nonsense", { enabled: false }],
      ["exchange_velocity", { threshold: -1 }],
      ["exchange_velocity", {}],
    ] as const) {
      const refused = await setDetector(kind, body);
      expect(refused.status).toBe(400);
      expect(refused.body.detail).toMatch(/\w+ .+/);
    }
    const listed = await json(await admin.send(policiesRoute.GET, "/api/v1/policies"));
    expect(listed.status).toBe(200);
    expect(listed.body.detectors.find((d: any) => d.detector === "exchange_velocity")).toMatchObject({ threshold: 20, windowSeconds: 300, severity: "high" });
  });
});

describe("enforcement", () => {
  let velocityPolicy = "";

  it("dry run: records what would have happened (alert, enforcement, audit event) and the agent keeps working", async () => {
    const made = await policies.create({ detector: "exchange_velocity", action: "suspend", dryRun: true });
    expect(made.status).toBe(201);
    expect(made.body.policy).toMatchObject({ severity: "high", action: "suspend", dryRun: true });
    velocityPolicy = made.body.policy.id;
    const { client, delegationId } = await agentWithToken(); // exchange 1
    for (let i = 0; i < 20; i++) await w.token(client, delegationId); // 21 exchanges
    const [alert] = await alertsOf(client.agent.id, "exchange_velocity");
    expect(alert).toMatchObject({ severity: "high", status: "open", enforcements: [{ action: "suspend", status: "dry_run", dryRun: true }] });
    const event = await w.db.auditEvent.findFirstOrThrow({ where: { action: "containment.enforce", target: alert.id } });
    expect(event.details).toMatchObject({ alertId: alert.id, status: "dry_run", wouldHave: "suspend the agent" });
    expect((await w.db.agent.findUniqueOrThrow({ where: { id: client.agent.id } })).status).toBe("active");
    expect((await list(await w.token(client, delegationId))).status).toBe(200);
  });

  it("notify: a live policy hands the intent to subscribers of onContainmentNotification; in dry run it only records", async () => {
    const { onContainmentNotification } = await import("@/lib/containment/notify");
    const heard: any[] = [];
    const stop = onContainmentNotification((n) => void heard.push(n));
    const made = await policies.create({ detector: "broad_consent", action: "notify", dryRun: true });
    expect(made.status).toBe(201);
    const { observeGrant } = await import("@/lib/containment/detectors");
    const scopes = Array.from({ length: 11 }, (_, i) => `s${i}`);
    const agentA = await w.agent();
    await observeGrant({ tenantId: "acme", what: "delegation", id: "d-a", agentId: agentA.agent.id, connectionId: cnx.id, scopes });
    expect(heard).toEqual([]);
    expect((await alertsOf(agentA.agent.id, "broad_consent"))[0].enforcements).toMatchObject([{ action: "notify", status: "dry_run" }]);
    await policies.update(made.body.policy.id, { dryRun: false });
    const agentB = await w.agent();
    await observeGrant({ tenantId: "acme", what: "delegation", id: "d-b", agentId: agentB.agent.id, connectionId: cnx.id, scopes });
    stop();
    const [alert] = await alertsOf(agentB.agent.id, "broad_consent");
    expect(heard).toHaveLength(1);
    expect(heard[0]).toMatchObject({
      type: "containment.alert",
      tenantId: "acme",
      enforcementId: alert.enforcements[0].id,
      alert: { id: alert.id, kind: "broad_consent" },
    });
    const event = await w.db.auditEvent.findFirstOrThrow({ where: { action: "containment.enforce", target: alert.id } });
    expect(event.details).toMatchObject({ action: "notify", status: "applied", alertId: alert.id });
  });

  it("repeated firings update the one open alert instead of adding alerts", async () => {
    const { client, delegationId } = await agentWithToken();
    for (let i = 0; i < 24; i++) await w.token(client, delegationId); // 25 exchanges: fires on 21..25
    const mine = await alertsOf(client.agent.id, "exchange_velocity");
    expect(mine).toHaveLength(1);
    expect(mine[0].count).toBe(5);
    // One enforcement per alert, not per firing.
    expect(mine[0].enforcements).toHaveLength(1);
  });

  it("require approval: the agent's next writes wait for the person's approval (202), reads go on; resolving the alert lifts it", async () => {
    expect((await policies.update(velocityPolicy, { action: "require_approval", dryRun: false })).status).toBe(200);
    expect((await setDetector("exchange_velocity", { threshold: 2 })).status).toBe(200);
    const { client, token, delegationId } = await agentWithToken();
    expect((await create(token)).status).toBe(200);
    await w.token(client, delegationId);
    await w.token(client, delegationId); // the third exchange is more than 2
    const [alert] = await alertsOf(client.agent.id, "exchange_velocity");
    expect(alert.enforcements).toMatchObject([{ action: "require_approval", status: "applied" }]);
    const write = await create(token);
    expect(write.status).toBe(202);
    expect(write.json).toMatchObject({ status: "pending", approval_id: expect.any(String) });
    expect((await list(token)).status).toBe(200);
    expect((await patchAlert(alert.id, "resolved")).status).toBe(200);
    expect((await create(token)).status).toBe(200);
    await setDetector("exchange_velocity", { threshold: null });
  });

  it("rate limit: the agent's calls answer 429 with Retry-After on the proxy, a reading route and the token endpoint", async () => {
    expect((await policies.create({ detector: "denial_storm", action: "rate_limit", cooldownSeconds: 120 })).status).toBe(201);
    const { client, token } = await agentWithToken();
    // PUT is outside the agent's ceiling: each try is a refusal of the policy decision point.
    const forbidden = () => w.send(proxyPost, "/api/v1/proxy", { body: { method: "PUT", path: "/tasks/1", body: {} }, token });
    for (let i = 0; i < 10; i++) expect((await forbidden()).status).not.toBe(429);
    expect(await alertsOf(client.agent.id, "denial_storm")).toHaveLength(0);
    await forbidden(); // the 11th refusal is more than 10
    const [alert] = await alertsOf(client.agent.id, "denial_storm");
    expect(alert).toMatchObject({ severity: "medium", enforcements: [{ action: "rate_limit", status: "applied" }] });
    const res = await list(token);
    expect(res.status).toBe(429);
    expect(res.json).toMatchObject({ code: "agent_rate_limited" });
    const wait = Number(res.headers.get("retry-after"));
    expect(wait).toBeGreaterThan(100);
    expect(wait).toBeLessThanOrEqual(120);
    // A route that only reads, with an agent token, and the token endpoint (RFC 6749 temporarily_unavailable, 429).
    const reading = await w.send(agentGet, "/api/v1/alerts", { token: await agentToken(client) });
    expect(reading.status).toBe(429);
    expect(reading.headers.get("retry-after")).toBeTruthy();
    await expect(w.token(client, (await w.grant(client, cnx)).id)).rejects.toThrow(/429/);
  });

  it("live suspend: an agent presenting another agent's delegation is suspended, and its next call is refused at once", async () => {
    expect((await policies.create({ detector: "unauthorized_agent", action: "suspend" })).status).toBe(201);
    const victim = await agentWithToken();
    const { client, token } = await agentWithToken();
    expect((await list(token)).status).toBe(200);
    expect(await presentForeign(client, victim.delegationId)).toMatch(/invalid_grant/);
    const [alert] = await alertsOf(client.agent.id, "unauthorized_agent");
    expect(alert).toMatchObject({
      severity: "critical",
      details: { code: "delegation_wrong_agent" },
      enforcements: [{ action: "suspend", status: "applied" }],
    });
    const next = await list(token);
    expect(next.status).toBe(401);
    expect(next.json).toMatchObject({ code: "agent_suspended" });
    const suspension = await w.db.auditEvent.findFirstOrThrow({ where: { action: "agent.suspend", agentId: client.agent.id } });
    expect(suspension.details).toMatchObject({ alertId: alert.id, by: "containment" });
    // The victim is untouched.
    expect((await list(victim.token)).status).toBe(200);
  });

  it("a suspension that needs an administrator waits as pending until one confirms it", async () => {
    const all = (await json(await admin.send(policiesRoute.GET, "/api/v1/policies"))).body.policies as any[];
    const unauthorized = all.find((p) => p.detector === "unauthorized_agent");
    expect((await policies.update(unauthorized.id, { requireAdminApproval: true })).status).toBe(200);
    const victim = await agentWithToken();
    const { client, token } = await agentWithToken();
    await presentForeign(client, victim.delegationId);
    const [alert] = await alertsOf(client.agent.id, "unauthorized_agent");
    const [pending] = alert.enforcements;
    expect(pending).toMatchObject({ action: "suspend", status: "pending" });
    expect((await list(token)).status).toBe(200);
    const decide = (decision: string) =>
      admin.send(enforcementRoute.PATCH, `/api/v1/enforcements/${pending.id}`, { method: "PATCH", body: { decision }, params: { id: pending.id } }).then(json);
    const byPerson = await json(
      await person.send(enforcementRoute.PATCH, `/api/v1/enforcements/${pending.id}`, {
        method: "PATCH",
        body: { decision: "confirm" },
        params: { id: pending.id },
      }),
    );
    expect(byPerson.status).toBe(403);
    expect((await list(token)).status).toBe(200);
    expect((await decide("confirm")).body).toMatchObject({ status: "confirmed" });
    expect((await list(token)).status).toBe(401);
    expect((await decide("confirm")).status).toBe(409);
    const [after] = await alertsOf(client.agent.id, "unauthorized_agent");
    expect(after.enforcements[0]).toMatchObject({ status: "confirmed", decidedBy: bob.arn });
  });
});

describe("the alert lifecycle and who sees what", () => {
  it("open -> acknowledged -> resolved, with who and when; a resolved alert stays resolved; a new firing opens a new alert", async () => {
    const { client, delegationId } = await agentWithToken();
    await setDetector("exchange_velocity", { threshold: 1 });
    await w.token(client, delegationId);
    const [alert] = await alertsOf(client.agent.id, "exchange_velocity");
    const acked = await patchAlert(alert.id, "acknowledged");
    expect(acked.body.alert).toMatchObject({ status: "acknowledged", acknowledgedBy: bob.arn });
    expect(acked.body.alert.acknowledgedAt).toBeTruthy();
    const resolved = await patchAlert(alert.id, "resolved");
    expect(resolved.body.alert).toMatchObject({ status: "resolved", resolvedBy: bob.arn });
    expect((await patchAlert(alert.id, "acknowledged")).status).toBe(409);
    expect((await patchAlert(alert.id, "reopened")).status).toBe(400);
    expect((await patchAlert("no-such-alert", "resolved")).status).toBe(404);
    await w.token(client, delegationId);
    const again = await alertsOf(client.agent.id, "exchange_velocity");
    expect(again.map((a) => a.status).sort()).toEqual(["open", "resolved"]);
    await setDetector("exchange_velocity", { threshold: null });
  });

  it("filters by severity, kind and status, and refuses unknown filters with a sentence", async () => {
    expect((await listAlerts("?severity=critical")).every((a) => a.severity === "critical")).toBe(true);
    expect((await listAlerts("?status=resolved")).every((a) => a.status === "resolved")).toBe(true);
    expect((await listAlerts("?kind=denial_storm")).length).toBeGreaterThan(0);
    const bad = await json(await admin.send(alertsRoute.GET, "/api/v1/alerts?severity=apocalyptic"));
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/severity/);
  });

  it("an agent sees only the alerts that name it; a person who is not an administrator sees none", async () => {
    const quiet = await agentWithToken();
    const { client } = await agentWithToken();
    await setDetector("exchange_velocity", { threshold: 1 });
    await w.token(client, (await w.grant(client, cnx)).id);
    await setDetector("exchange_velocity", { threshold: null });
    const asAgent = await w.send(agentGet, "/api/v1/alerts", { token: await agentToken(client) });
    expect(asAgent.status).toBe(200);
    expect(asAgent.json.alerts.length).toBeGreaterThan(0);
    expect(asAgent.json.alerts.every((a: any) => a.agentId === client.agent.id)).toBe(true);
    const asQuiet = await w.send(agentGet, "/api/v1/alerts", { token: quiet.token });
    expect(asQuiet.json.alerts).toEqual([]);
    expect((await person.send(alertsRoute.GET, "/api/v1/alerts")).status).toBe(403);
  });

  it("another organisation's administrator sees and changes nothing of acme's; an agent token cannot change an alert", async () => {
    const { upsertPerson } = await import("@/lib/tenancy/people");
    const dave = await upsertPerson({ id: "dave", tenantId: "globex", tenantName: "Globex", email: "dave@globex.test", name: "Dave Diaz", role: "admin" });
    const globex = portalBrowser();
    await globex.signIn(dave);
    const [acmeAlert] = await listAlerts();
    const pending = await w.db.enforcement.findFirstOrThrow({ where: { tenantId: "acme" } });
    const acmePolicy = await w.db.containmentPolicy.findFirstOrThrow({ where: { tenantId: "acme" } });
    expect((await json(await globex.send(alertsRoute.GET, "/api/v1/alerts"))).body.alerts).toEqual([]);
    const send = (handler: typeof alertRoute.PATCH, path: string, id: string, body: unknown) =>
      globex.send(handler, path, { method: "PATCH", body, params: { id } }).then((r) => r.status);
    expect(await send(alertRoute.PATCH, `/api/v1/alerts/${acmeAlert.id}`, acmeAlert.id, { status: "resolved" })).toBe(404);
    expect(await send(enforcementRoute.PATCH, `/api/v1/enforcements/${pending.id}`, pending.id, { decision: "reject" })).toBe(404);
    expect(await send(policyRoute.PATCH, `/api/v1/policies/${acmePolicy.id}`, acmePolicy.id, { enabled: false })).toBe(404);
    const { token } = await agentWithToken();
    const byAgent = await w.send((req) => alertRoute.PATCH(req, { params: Promise.resolve({ id: acmeAlert.id }) }), `/api/v1/alerts/${acmeAlert.id}`, {
      method: "PATCH",
      body: { status: "resolved" },
      token,
    });
    expect(byAgent.status).toBe(401);
    expect((await w.db.alert.findUniqueOrThrow({ where: { id: acmeAlert.id } })).status).toBe(acmeAlert.status);
  });

  it("GET /api/v1/status counts open alerts by severity", async () => {
    const open = await listAlerts("?status=open");
    const res = await json(await admin.send(statusRoute.GET, "/api/v1/status"));
    expect(res.status).toBe(200);
    const expected = { critical: 0, high: 0, medium: 0, low: 0 } as Record<string, number>;
    for (const a of open) expected[a.severity]! += 1;
    expect(res.body.openAlerts.bySeverity).toEqual(expected);
  });

  it("no answer carried a provider token", () => {
    expect(w.leaks().hits).toEqual([]);
  });
});
