// Table tests for the pure policy decision: each layer's allow and every deny code, the order in
// which layers answer, and the intersection rules (a ceiling or a connection narrowed after the
// grant wins at once; a delegation's constraints narrow the ceiling and never widen it).
import { describe, expect, it } from "vitest";
import { ceilingSchema, type Ceiling } from "@/lib/agents/ceiling";
import { constraintsSchema, type Constraints } from "@/lib/delegations/constraints";
import { DEMO_TASKS_CEILING } from "@/lib/testing/fixtures";
import { decide, inTimeWindow, localClock } from "./decide";
import type { PdpAction, PdpConnection, PdpDelegation, PdpFacts } from "./types";

// Wednesday 15 January 2025, 15:00 UTC: 10:00 Wednesday in New York, 00:00 Thursday in Tokyo.
const NOW = new Date("2025-01-15T15:00:00Z");
const HOUR = 3_600_000;

type Overrides = {
  agent?: Partial<NonNullable<PdpFacts["agent"]>> | null;
  ceiling?: Partial<Ceiling>;
  delegation?: Partial<PdpDelegation> | null;
  constraints?: Partial<Constraints> | null;
  connection?: Partial<PdpConnection> | null;
  recentActions?: number;
  approved?: boolean;
  now?: Date;
};

function facts(o: Overrides = {}): PdpFacts {
  const now = o.now ?? NOW;
  return {
    now,
    tenantId: "acme",
    agent:
      o.agent === null
        ? null
        : {
            id: "agent-1",
            tenantId: "acme",
            clientId: "agt_one",
            status: "active",
            ceiling: ceilingSchema.parse({ ...DEMO_TASKS_CEILING, ...o.ceiling }),
            ...o.agent,
          },
    delegation:
      o.delegation === null
        ? null
        : {
            id: "del-1",
            tenantId: "acme",
            agentId: "agent-1",
            userId: "acme.alice",
            connectionId: "cnx-1",
            scopes: ["tasks.read", "tasks.write"],
            tools: ["demo-tasks.list_tasks", "demo-tasks.create_task"],
            constraints: o.constraints === null ? null : constraintsSchema.parse({ ...o.constraints }),
            createdAt: new Date(now.getTime() - HOUR),
            expiresAt: new Date(now.getTime() + HOUR),
            revokedAt: null,
            ...o.delegation,
          },
    connection:
      o.connection === null
        ? null
        : {
            id: "cnx-1",
            tenantId: "acme",
            userId: "acme.alice",
            provider: "demo-tasks",
            status: "active",
            scopes: ["tasks.read", "tasks.write"],
            ...o.connection,
          },
    recentActions: o.recentActions,
    ...(o.approved ? { approved: true } : {}),
  };
}

const EXCHANGE: PdpAction = { kind: "exchange" };
const LIST: PdpAction = { kind: "tool", tool: "demo-tasks.list_tasks" };
const CREATE: PdpAction = { kind: "tool", tool: "demo-tasks.create_task" };
const GET_TASKS: PdpAction = { kind: "proxy", method: "GET", path: "/tasks" };
const POST_TASKS: PdpAction = { kind: "proxy", method: "POST", path: "/tasks" };

type Row = [name: string, o: Overrides, action: PdpAction, layer: string, code: string];
const allowed = (name: string, o: Overrides, action: PdpAction): Row => [name, o, action, "data", "allowed"];

const cases: Record<string, Row[]> = {
  "who asks, about what": [
    allowed("a known, active agent asking about its own delegation", {}, EXCHANGE),
    ["an unknown agent", { agent: null }, EXCHANGE, "ceiling", "agent_unknown"],
    ["an agent of another tenant", { agent: { tenantId: "globex" } }, EXCHANGE, "ceiling", "tenant_mismatch"],
    ["a suspended agent", { agent: { status: "suspended" } }, LIST, "ceiling", "agent_suspended"],
    ["no delegation", { delegation: null }, EXCHANGE, "consent", "delegation_unknown"],
    ["another tenant's delegation reads as unknown", { delegation: { tenantId: "globex" } }, EXCHANGE, "consent", "delegation_unknown"],
    ["a delegation granted to another agent", { delegation: { agentId: "agent-2" } }, EXCHANGE, "consent", "delegation_wrong_agent"],
    [
      "a suspended agent is refused before its delegation is looked at",
      { agent: { status: "suspended" }, delegation: null },
      EXCHANGE,
      "ceiling",
      "agent_suspended",
    ],
  ],
  "1 ceiling": [
    allowed("every ceiling rule satisfied (tool)", {}, LIST),
    allowed("every ceiling rule satisfied (proxy)", {}, GET_TASKS),
    allowed("a lifetime exactly at the ceiling's maximum", { ceiling: { maxDelegationSeconds: 7_200 } }, EXCHANGE),
    ["provider taken out of the ceiling after the grant", { ceiling: { providers: ["github"] } }, EXCHANGE, "ceiling", "provider_not_allowed"],
    ["a tool outside the ceiling", { ceiling: { tools: ["demo-tasks.whoami"] } }, LIST, "ceiling", "tool_not_allowed"],
    ["a tool the vault does not know", {}, { kind: "tool", tool: "demo-tasks.drop_database" }, "ceiling", "tool_not_allowed"],
    [
      "a tool of another provider than the connection's",
      { ceiling: { tools: ["github.list_repos"] }, delegation: { tools: ["github.list_repos"] } },
      { kind: "tool", tool: "github.list_repos" },
      "ceiling",
      "tool_not_allowed",
    ],
    ["a method outside the ceiling", {}, { kind: "proxy", method: "PUT", path: "/tasks/1" }, "ceiling", "method_not_allowed"],
    [
      "a path outside the ceiling",
      { ceiling: { pathPatterns: ["/tasks/**"] } },
      { kind: "proxy", method: "GET", path: "/admin" },
      "ceiling",
      "path_not_allowed",
    ],
    ["a path climbing out with ..", {}, { kind: "proxy", method: "GET", path: "/tasks/../admin" }, "ceiling", "path_not_allowed"],
    ["a path with an encoded slash", {}, { kind: "proxy", method: "GET", path: "/tasks%2F..%2Fadmin" }, "ceiling", "path_not_allowed"],
    ["a path with a double slash", {}, { kind: "proxy", method: "GET", path: "//evil.example/tasks" }, "ceiling", "path_not_allowed"],
    [
      "the ceiling's longest delegation narrowed below the grant's lifetime",
      { ceiling: { maxDelegationSeconds: 3_600 } },
      EXCHANGE,
      "ceiling",
      "delegation_too_long",
    ],
    ["a ceiling narrowed after the grant also stops tool calls", { ceiling: { maxDelegationSeconds: 3_600 } }, LIST, "ceiling", "delegation_too_long"],
  ],
  "2 scope": [
    allowed("a refreshing connection", { connection: { status: "refreshing" } }, LIST),
    allowed("a degraded connection", { connection: { status: "degraded" } }, LIST),
    allowed(
      "a proxy call no scope rule speaks about needs any delegated, granted scope",
      { ceiling: { providers: ["github"] }, delegation: { scopes: ["repo"] }, connection: { provider: "github", scopes: ["repo"] } },
      { kind: "proxy", method: "GET", path: "/user" },
    ),
    ["no connection", { connection: null }, EXCHANGE, "scope", "connection_unavailable"],
    ["a connection that needs reconnecting", { connection: { status: "needs_reconnect" } }, EXCHANGE, "scope", "connection_unavailable"],
    ["a disconnected connection", { connection: { status: "revoked" } }, LIST, "scope", "connection_unavailable"],
    ["a connection of another tenant", { connection: { tenantId: "globex" } }, EXCHANGE, "scope", "connection_unavailable"],
    ["a connection other than the delegation's", { connection: { id: "cnx-2" } }, EXCHANGE, "scope", "connection_unavailable"],
    ["a scope removed from the connection after the grant (tool)", { connection: { scopes: ["tasks.read"] } }, CREATE, "scope", "scope_not_granted"],
    ["a scope removed from the connection after the grant (proxy write)", { connection: { scopes: ["tasks.read"] } }, POST_TASKS, "scope", "scope_not_granted"],
    [
      "requesting a scope the connection does not hold",
      { connection: { scopes: ["tasks.read"] } },
      { kind: "exchange", scopes: ["tasks.write"] },
      "scope",
      "scope_not_granted",
    ],
    [
      "nothing delegated is still granted",
      { delegation: { scopes: ["tasks.write"] }, connection: { scopes: ["tasks.read"] } },
      EXCHANGE,
      "scope",
      "scope_not_granted",
    ],
    [
      "a proxy call without a rule when nothing is granted",
      { ceiling: { providers: ["github"] }, delegation: { scopes: ["repo"] }, connection: { provider: "github", scopes: [] } },
      { kind: "proxy", method: "GET", path: "/user" },
      "scope",
      "scope_not_granted",
    ],
    [
      "a disconnected connection is refused before a revoked delegation",
      { connection: { status: "revoked" }, delegation: { revokedAt: NOW } },
      EXCHANGE,
      "scope",
      "connection_unavailable",
    ],
  ],
  "3 consent": [
    allowed("requesting a subset of the delegated scopes", {}, { kind: "exchange", scopes: ["tasks.read"] }),
    allowed("one millisecond before expiry", { delegation: { expiresAt: new Date(NOW.getTime() + 1) } }, LIST),
    ["a revoked delegation", { delegation: { revokedAt: new Date(NOW.getTime() - 1) } }, EXCHANGE, "consent", "delegation_revoked"],
    ["an expired delegation (expiry is exclusive)", { delegation: { expiresAt: NOW } }, EXCHANGE, "consent", "delegation_expired"],
    ["a tool in the ceiling but not delegated", {}, { kind: "tool", tool: "demo-tasks.delete_task" }, "consent", "tool_not_delegated"],
    [
      "requesting a granted scope the person did not delegate",
      { delegation: { scopes: ["tasks.read"] } },
      { kind: "exchange", scopes: ["tasks.read", "tasks.write"] },
      "consent",
      "scope_not_delegated",
    ],
    ["a write tool on a read-only grant of a read-write connection", { delegation: { scopes: ["tasks.read"] } }, CREATE, "consent", "scope_not_delegated"],
    ["a proxy write on a read-only grant", { delegation: { scopes: ["tasks.read"] } }, POST_TASKS, "consent", "scope_not_delegated"],
    [
      "a token narrowed to tasks.read calling a write tool",
      {},
      { kind: "tool", tool: "demo-tasks.create_task", scopes: ["tasks.read"] },
      "consent",
      "scope_not_delegated",
    ],
    [
      "delegated read, connection now only write: no usable scope in common",
      { delegation: { scopes: ["tasks.read"] }, connection: { scopes: ["tasks.write"] } },
      LIST,
      "consent",
      "scope_not_delegated",
    ],
  ],
  "4 data": [
    allowed("no constraints", {}, CREATE),
    allowed("read-only allows reading tools", { constraints: { readOnly: true } }, LIST),
    allowed("read-only allows GET", { constraints: { readOnly: true } }, GET_TASKS),
    allowed("constraint methods narrowing to what is asked", { constraints: { methods: ["GET"] } }, GET_TASKS),
    allowed("constraint paths narrowing to what is asked", { constraints: { pathPatterns: ["/tasks"] } }, GET_TASKS),
    allowed("approval for writes does not stop reads", { constraints: { approvalForWrites: true } }, LIST),
    allowed("the person approved this very request", { approved: true, constraints: { approvalForWrites: true } }, CREATE),
    allowed(
      "approved, past the ceiling's approval rules",
      { approved: true, ceiling: { approvalTools: ["demo-tasks.create_task"], approvalMethods: ["POST"] } },
      CREATE,
    ),
    allowed("the ceiling's approval methods leave other methods alone", { ceiling: { approvalMethods: ["POST"] } }, GET_TASKS),
    allowed(
      "an exchange ignores the per-call rules",
      {
        constraints: {
          readOnly: true,
          approvalForWrites: true,
          rateLimit: { max: 1, perSeconds: 60 },
          timeWindow: { days: ["sun"], start: "01:00", end: "02:00", timeZone: "UTC" },
        },
        recentActions: 99,
      },
      EXCHANGE,
    ),
    ["unreadable constraints", { constraints: null }, LIST, "data", "constraints_unreadable"],
    ["unreadable constraints stop an exchange too", { constraints: null }, EXCHANGE, "data", "constraints_unreadable"],
    ["read-only refuses a write tool", { constraints: { readOnly: true } }, CREATE, "data", "read_only"],
    ["read-only refuses POST", { constraints: { readOnly: true } }, POST_TASKS, "data", "read_only"],
    ["constraint methods narrow the ceiling", { constraints: { methods: ["GET"] } }, POST_TASKS, "data", "method_not_allowed"],
    [
      "constraint paths narrow the ceiling",
      { constraints: { pathPatterns: ["/tasks"] } },
      { kind: "proxy", method: "GET", path: "/tasks/1" },
      "data",
      "path_not_allowed",
    ],
    [
      "a constraint method outside the ceiling stays denied (by the ceiling)",
      { constraints: { methods: ["GET", "PUT"] } },
      { kind: "proxy", method: "PUT", path: "/tasks/1" },
      "ceiling",
      "method_not_allowed",
    ],
    [
      "a constraint path outside the ceiling stays denied (by the ceiling)",
      { ceiling: { pathPatterns: ["/tasks/**"] }, constraints: { pathPatterns: ["/**"] } },
      { kind: "proxy", method: "GET", path: "/admin" },
      "ceiling",
      "path_not_allowed",
    ],
    [
      "outside the time window",
      { constraints: { timeWindow: { days: ["wed"], start: "11:00", end: "17:00", timeZone: "America/New_York" } } },
      LIST,
      "data",
      "outside_time_window",
    ],
    ["approval for writes (tool)", { constraints: { approvalForWrites: true } }, CREATE, "data", "approval_required"],
    ["the ceiling's approval tools hold even a read tool", { ceiling: { approvalTools: ["demo-tasks.list_tasks"] } }, LIST, "data", "approval_required"],
    ["the ceiling's approval methods hold that method", { ceiling: { approvalMethods: ["POST"] } }, POST_TASKS, "data", "approval_required"],
    [
      "an approved request still meets every other rule",
      { approved: true, constraints: { readOnly: true, approvalForWrites: true } },
      CREATE,
      "data",
      "read_only",
    ],
    [
      "approval for writes (DELETE)",
      { constraints: { approvalForWrites: true } },
      { kind: "proxy", method: "DELETE", path: "/tasks/1" },
      "data",
      "approval_required",
    ],
  ],
};

describe.each(Object.entries(cases))("layer %s", (_layer, rows) => {
  it.each(rows)("%s", (_name, o, action, layer, code) => {
    const d = decide(facts(o), action);
    expect({ layer: d.layer, code: d.code }).toEqual({ layer, code });
    expect(d.decision).toBe(code === "allowed" ? "allow" : "deny");
    expect(d.reason).toMatch(/\.$/);
    if (d.decision === "deny") expect(d.scopes).toBeUndefined();
  });
});

describe("rate limit", () => {
  const rateLimit = { max: 3, perSeconds: 60 };
  it("allows max-1 recent actions and refuses at max", () => {
    expect(decide(facts({ constraints: { rateLimit }, recentActions: 2 }), LIST).code).toBe("allowed");
    expect(decide(facts({ constraints: { rateLimit }, recentActions: 3 }), LIST)).toMatchObject({ decision: "deny", layer: "data", code: "rate_limited" });
    expect(decide(facts({ constraints: { rateLimit }, recentActions: 4 }), GET_TASKS).code).toBe("rate_limited");
  });
  it("refuses when the recent actions were not counted", () => {
    expect(decide(facts({ constraints: { rateLimit } }), LIST).code).toBe("rate_limited");
  });
});

describe("effective scopes", () => {
  it("are the delegated scopes still granted on the connection", () => {
    const d = decide(facts({ delegation: { scopes: ["tasks.read", "tasks.write"] }, connection: { scopes: ["tasks.read", "profile"] } }), EXCHANGE);
    expect(d).toMatchObject({ decision: "allow", scopes: ["tasks.read"] });
  });
  it("are narrowed to what is requested", () => {
    expect(decide(facts(), { kind: "exchange", scopes: ["tasks.read", "tasks.read"] }).scopes).toEqual(["tasks.read"]);
    expect(decide(facts(), { ...GET_TASKS, scopes: ["tasks.write"] }).scopes).toEqual(["tasks.write"]);
  });
  it("never include a scope the person did not delegate, even when the connection holds it", () => {
    expect(decide(facts({ delegation: { scopes: ["tasks.read"] } }), LIST).scopes).toEqual(["tasks.read"]);
  });
});

describe("time windows", () => {
  const w = (days: ("mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun")[], start: string, end: string, timeZone: string) => ({ days, start, end, timeZone });

  it("reads the wall clock of the window's time zone", () => {
    expect(localClock(NOW, "America/New_York")).toEqual({ day: "wed", minute: 600 });
    expect(localClock(NOW, "Asia/Tokyo")).toEqual({ day: "thu", minute: 0 });
    expect(localClock(NOW, "UTC")).toEqual({ day: "wed", minute: 900 });
  });

  it("decides the same instant differently in New York and Tokyo", () => {
    const office = (tz: string) => w(["mon", "tue", "wed", "thu", "fri"], "09:00", "17:00", tz);
    expect(inTimeWindow(office("America/New_York"), NOW)).toBe(true);
    expect(inTimeWindow(office("Asia/Tokyo"), NOW)).toBe(false);
    expect(decide(facts({ constraints: { timeWindow: office("America/New_York") } }), LIST).code).toBe("allowed");
    expect(decide(facts({ constraints: { timeWindow: office("Asia/Tokyo") } }), LIST).code).toBe("outside_time_window");
  });

  it("includes the start and excludes the end", () => {
    expect(inTimeWindow(w(["wed"], "10:00", "11:00", "America/New_York"), NOW)).toBe(true);
    expect(inTimeWindow(w(["wed"], "09:00", "10:00", "America/New_York"), NOW)).toBe(false);
    expect(inTimeWindow(w(["wed"], "09:00", "10:00", "America/New_York"), new Date(NOW.getTime() - 1000))).toBe(true);
  });

  it("only on the listed days", () => {
    expect(inTimeWindow(w(["tue", "thu"], "09:00", "17:00", "America/New_York"), NOW)).toBe(false);
  });

  it("wraps past midnight, belonging to the day it starts on", () => {
    // 00:00 Thursday in Tokyo: inside Wednesday's 22:00-06:00 window, not Thursday's.
    expect(inTimeWindow(w(["wed"], "22:00", "06:00", "Asia/Tokyo"), NOW)).toBe(true);
    expect(inTimeWindow(w(["thu"], "22:00", "06:00", "Asia/Tokyo"), NOW)).toBe(false);
    // Wednesday 22:00-00:00 ends exactly at Thursday 00:00 (exclusive).
    expect(inTimeWindow(w(["wed"], "22:00", "00:00", "Asia/Tokyo"), NOW)).toBe(false);
    expect(inTimeWindow(w(["wed"], "22:00", "00:00", "Asia/Tokyo"), new Date(NOW.getTime() - 60_000))).toBe(true);
    // Saturday 05:59 in New York is the tail of Friday night's window; 06:00 is past it.
    const fridayNight = w(["fri"], "22:00", "06:00", "America/New_York");
    expect(inTimeWindow(fridayNight, new Date("2025-01-18T10:59:00Z"))).toBe(true);
    expect(inTimeWindow(fridayNight, new Date("2025-01-18T11:00:00Z"))).toBe(false);
    expect(inTimeWindow(fridayNight, new Date("2025-01-18T03:30:00Z"))).toBe(true); // Friday 22:30
  });

  it("follows daylight saving time", () => {
    // 14:00 UTC is 10:00 in New York in July (EDT) but 09:00 in January (EST).
    const tenToNoon = w(["wed"], "10:00", "12:00", "America/New_York");
    expect(inTimeWindow(tenToNoon, new Date("2025-07-16T14:00:00Z"))).toBe(true);
    expect(inTimeWindow(tenToNoon, new Date("2025-01-15T14:00:00Z"))).toBe(false);
  });
});

describe("deny by default", () => {
  it("an empty ceiling allows nothing", () => {
    const empty = { providers: [], tools: [], methods: [], pathPatterns: [] };
    for (const action of [EXCHANGE, LIST, GET_TASKS]) expect(decide(facts({ ceiling: empty }), action).decision).toBe("deny");
  });
  it("a delegation with no tools allows no tool", () => {
    expect(decide(facts({ delegation: { tools: [] } }), LIST).code).toBe("tool_not_delegated");
  });
  it("the allow is the last layer and carries scopes", () => {
    expect(decide(facts(), LIST)).toEqual({
      decision: "allow",
      layer: "data",
      code: "allowed",
      reason: "Every layer allows this.",
      scopes: ["tasks.read", "tasks.write"],
    });
  });
});

describe("containment's hold on an agent", () => {
  const EXCHANGE: PdpAction = { kind: "exchange" };
  it("a rate limit refuses everything it asks until it ends, with the seconds to wait", () => {
    const hold = { rateLimitedUntil: new Date(NOW.getTime() + 90_000), approvalForWrites: false };
    for (const action of [LIST, CREATE, EXCHANGE])
      expect(decide(facts({ agent: { hold } }), action)).toMatchObject({ decision: "deny", code: "agent_rate_limited", retryAfter: 90 });
    expect(decide(facts({ agent: { hold }, now: new Date(NOW.getTime() + 90_000) }), LIST).decision).toBe("allow");
  });

  it("approval for writes sends its writes for approval and lets reads and exchanges through", () => {
    const hold = { rateLimitedUntil: null, approvalForWrites: true };
    expect(decide(facts({ agent: { hold } }), CREATE)).toMatchObject({ decision: "deny", layer: "data", code: "approval_required" });
    expect(decide(facts({ agent: { hold } }), { kind: "proxy", method: "POST", path: "/tasks" })).toMatchObject({ code: "approval_required" });
    expect(decide(facts({ agent: { hold } }), LIST).decision).toBe("allow");
    expect(decide(facts({ agent: { hold } }), EXCHANGE).decision).toBe("allow");
  });

  it("a suspended agent is refused as suspended, whatever its hold", () => {
    const hold = { rateLimitedUntil: new Date(NOW.getTime() + 90_000), approvalForWrites: true };
    expect(decide(facts({ agent: { hold, status: "suspended" } }), LIST).code).toBe("agent_suspended");
  });
});
