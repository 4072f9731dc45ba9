// The registry's schemas: the DTO cannot carry a secret or its hash even when handed a whole row,
// and the bodies refuse what the handler must never act on (no credential, both key sources,
// rotating and enabling at once, an empty change, unknown fields).
import { describe, expect, it } from "vitest";

import { EMPTY_CEILING } from "./ceiling";
import { agentDto, createAgentBody, updateAgentBody } from "./schemas";

describe("agentDto", () => {
  it("drops secret and hash fields from whatever it is given", () => {
    const dto = agentDto.parse({
      id: "a1",
      clientId: "agt_x",
      name: "A",
      description: "",
      status: "active",
      ceiling: EMPTY_CEILING,
      authMethods: ["client_secret"],
      jwksUri: null,
      keyCount: 0,
      previousSecretExpiresAt: null,
      createdAt: "2030-01-01T00:00:00.000Z",
      updatedAt: "2030-01-01T00:00:00.000Z",
      activeDelegations: 0,
      secretHash: "scrypt$...",
      previousSecretHash: "scrypt$...",
      clientSecret: "tvs_leak",
      jwks: { keys: [] },
      tenantId: "acme",
    });
    expect(JSON.stringify(dto)).not.toMatch(/scrypt|tvs_leak|secretHash|clientSecret|tenantId/);
  });
});

describe("createAgentBody", () => {
  it("trims the name, defaults the description and gives an empty ceiling", () => {
    const body = createAgentBody.parse({ name: "  Bot  ", credentials: { secret: true } });
    expect(body).toEqual({ name: "Bot", description: "", credentials: { secret: true }, ceiling: EMPTY_CEILING });
  });

  it.each([
    ["no credential at all", { name: "A", credentials: { secret: false } }],
    ["an unknown credential field", { name: "A", credentials: { secret: true, secretHash: "x" } }],
    ["an unknown top-level field", { name: "A", credentials: { secret: true }, clientId: "agt_mine" }],
    ["a description over 500 characters", { name: "A", description: "x".repeat(501), credentials: { secret: true } }],
  ])("refuses %s", (_label, body) => {
    expect(createAgentBody.safeParse(body).success).toBe(false);
  });
});

describe("updateAgentBody", () => {
  it("accepts one change at a time, and null to clear keys", () => {
    expect(updateAgentBody.parse({ status: "suspended" })).toEqual({ status: "suspended" });
    expect(updateAgentBody.parse({ jwks: null })).toEqual({ jwks: null });
    expect(updateAgentBody.parse({ rotateSecret: { overlapSeconds: 604_800 } })).toEqual({ rotateSecret: { overlapSeconds: 604_800 } });
  });

  it.each([
    ["an empty change", {}],
    ["rotating and enabling at once", { rotateSecret: { overlapSeconds: 0 }, enableSecret: true }],
    ["a negative overlap", { rotateSecret: { overlapSeconds: -1 } }],
    ["an overlap over 7 days", { rotateSecret: { overlapSeconds: 604_801 } }],
    ["a fractional overlap", { rotateSecret: { overlapSeconds: 1.5 } }],
    ["a status that does not exist", { status: "deleted" }],
    ["setting a secret hash directly", { secretHash: "scrypt$x" }],
    ["moving the agent to another tenant", { tenantId: "globex" }],
  ])("refuses %s", (_label, body) => {
    expect(updateAgentBody.safeParse(body).success).toBe(false);
  });
});
