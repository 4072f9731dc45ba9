// The pure grant rules: what the form offers, and the first refusal a grant meets, without a database.
import { describe, expect, it } from "vitest";
import { ceilingSchema, readCeiling } from "@/lib/agents/ceiling";
import { agentOptions, checkGrant, describeDuration, type RuleAgent, type RuleConnection } from "./grant-rules";
import { createDelegationBody } from "./schemas";

const connection: RuleConnection = { provider: "demo-tasks", providerName: "Demo Tasks", status: "active", scopes: ["tasks.read"] };
const agent = (ceiling: object, status: RuleAgent["status"] = "active"): RuleAgent => ({
  id: "a1",
  name: "Helper",
  status,
  ceiling: ceilingSchema.parse(ceiling),
});
const body = (over: object = {}) =>
  createDelegationBody.parse({
    agentId: "a1",
    connectionId: "c1",
    scopes: ["tasks.read"],
    tools: [],
    expiresAt: new Date(Date.now() + 60_000).toISOString(),
    ...over,
  });

describe("grant rules", () => {
  it("treats an unreadable stored ceiling as allowing nothing", () => {
    const broken: RuleAgent = { id: "a1", name: "Helper", status: "active", ceiling: readCeiling({ providers: "everything" }) };
    expect(agentOptions(broken, connection, []).unavailable?.code).toBe("provider_not_allowed");
    expect(checkGrant(broken, connection, body(), new Date())?.code).toBe("provider_not_allowed");
  });

  it("still lets degraded or refreshing connections be granted, but not ones needing reconnect", () => {
    const a = agent({ providers: ["demo-tasks"] });
    expect(checkGrant(a, { ...connection, status: "degraded" }, body(), new Date())).toBeNull();
    expect(checkGrant(a, { ...connection, status: "refreshing" }, body(), new Date())).toBeNull();
    expect(checkGrant(a, { ...connection, status: "needs_reconnect" }, body(), new Date())?.code).toBe("connection_unavailable");
  });

  it("lists catalogue scopes the connection lacks as not granted, with a reason", () => {
    const options = agentOptions(agent({ providers: ["demo-tasks"] }), connection, [
      { scope: "tasks.read", description: "Read your tasks" },
      { scope: "tasks.write", description: "Create and delete your tasks" },
    ]);
    expect(options.scopes).toEqual([{ scope: "tasks.read", description: "Read your tasks" }]);
    expect(options.refusedScopes).toEqual([
      expect.objectContaining({ scope: "tasks.write", code: "scope_not_granted", reason: expect.stringMatching(/reconnect/) }),
    ]);
  });

  it("refuses any limit on methods when the ceiling allows no direct API calls", () => {
    const refusal = checkGrant(agent({ providers: ["demo-tasks"] }), connection, body({ constraints: { methods: ["GET"] } }), new Date());
    expect(refusal).toMatchObject({ code: "method_not_allowed", status: 403, reason: expect.stringMatching(/no direct API calls/) });
  });

  it("allows the service-account option only for an agent whose ceiling allows service accounts, and offers it accordingly", () => {
    const plain = agent({ providers: ["demo-tasks"] });
    const trusted = agent({ providers: ["demo-tasks"], allowServiceAccount: true });
    expect(body().allowServiceAccount).toBe(false);
    expect(checkGrant(plain, connection, body(), new Date())).toBeNull();
    expect(checkGrant(plain, connection, body({ allowServiceAccount: true }), new Date())).toMatchObject({
      code: "service_account_not_allowed",
      status: 403,
      reason: expect.stringMatching(/^An administrator has not allowed Helper to act with a service account: .*\.$/),
    });
    expect(checkGrant(trusted, connection, body({ allowServiceAccount: true }), new Date())).toBeNull();
    expect(agentOptions(plain, connection, []).allowServiceAccount).toBe(false);
    expect(agentOptions(trusted, connection, []).allowServiceAccount).toBe(true);
  });

  it("describes durations in the largest exact unit", () => {
    expect(describeDuration(3600)).toBe("1 hour");
    expect(describeDuration(30 * 86_400)).toBe("30 days");
    expect(describeDuration(5400)).toBe("90 minutes");
    expect(describeDuration(61)).toBe("61 seconds");
  });
});
