// Registering and listing agents through the BFF, on a real demo-mode database: only admins of the
// tenant, only from the portal, bad input refused with a sentence and nothing written, and the
// client secret answered exactly once, stored only as a hash the token endpoint's check accepts.
import { generateKeyPairSync } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";

import { PORTAL_ORIGIN, portalBrowser, setRole, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { verifyAgentSecret } = await import("@/lib/agents/credentials");
const { GET, POST } = await import("./route");
const byId = await import("./[id]/route");

const { alice, bob, carol } = world.people;
const ORIGIN = PORTAL_ORIGIN;
const URL_BASE = `${ORIGIN}/api/v1/agents`;
const carolAsAdmin = await setRole(carol, "admin");
const browser = portalBrowser();

type Answer = { agent: Record<string, unknown> & { id: string; clientId: string }; client_id: string; client_secret?: string };

function post(body: unknown, origin: string | null = ORIGIN) {
  return POST(browser.request(URL_BASE, { method: "POST", body, origin }));
}

function list() {
  return GET(browser.request(URL_BASE));
}

function getOne(id: string) {
  return byId.GET(browser.request(`${URL_BASE}/${id}`), { params: Promise.resolve({ id }) });
}

async function counts() {
  const db = await getDb();
  return { agents: await db.agent.count(), audit: await db.auditEvent.count() };
}

async function expectRefused(res: Response, status: number, before: { agents: number; audit: number }) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  const problem = (await res.json()) as { detail: string; code: string };
  expect(problem.detail).toMatch(/^[A-Z"].*[.!]$/);
  expect(await counts()).toEqual(before);
  return problem;
}

const CEILING = {
  providers: ["demo-tasks"],
  tools: ["demo-tasks.list_tasks"],
  methods: ["GET"],
  pathPatterns: ["/tasks/**"],
  maxDelegationSeconds: 7 * 86_400,
};

beforeEach(async () => {
  await browser.signIn(bob);
});

describe("POST /api/v1/agents", () => {
  it("registers an agent, answers the client secret once, and stores only a hash that verifies", async () => {
    const res = await post({ name: "  Build bot ", description: "Files tasks from CI.", credentials: { secret: true }, ceiling: CEILING });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const text = await res.text();
    const answer = JSON.parse(text) as Answer;
    expect(answer.client_id).toMatch(/^agt_[A-Za-z0-9_-]{16}$/);
    expect(answer.client_secret).toMatch(/^tvs_[A-Za-z0-9_-]{43}$/);
    expect(answer.agent).toMatchObject({
      clientId: answer.client_id,
      name: "Build bot",
      status: "active",
      authMethods: ["client_secret"],
      activeDelegations: 0,
    });
    expect(answer.agent.ceiling).toMatchObject(CEILING);
    expect(Object.keys(answer.agent).sort()).toEqual([
      "activeDelegations",
      "authMethods",
      "ceiling",
      "clientId",
      "createdAt",
      "description",
      "id",
      "jwksUri",
      "keyCount",
      "name",
      "previousSecretExpiresAt",
      "status",
      "updatedAt",
    ]);
    expect(text.split(answer.client_secret!).length).toBe(2); // exactly once

    const db = await getDb();
    const row = await db.agent.findUniqueOrThrow({ where: { id: answer.agent.id } });
    expect(row.tenantId).toBe("acme");
    expect(JSON.stringify(row)).not.toContain(answer.client_secret!.slice(4));
    expect(row.secretHash).toMatch(/^scrypt\$/);
    expect(await verifyAgentSecret(row, answer.client_secret!)).toBe(true);
    expect(await verifyAgentSecret(row, `${answer.client_secret!}x`)).toBe(false);

    const events = await db.auditEvent.findMany({ where: { agentId: row.id } });
    expect(events.map((e) => [e.action, e.outcome, e.actorArn])).toEqual([["agent.register", "success", bob.arn]]);
    expect(JSON.stringify(events)).not.toContain(answer.client_secret!.slice(4));

    // Never again: not in the list, not in the agent's own answer.
    const again = [await (await list()).text(), await (await getOne(row.id)).text()];
    for (const body of again) {
      expect(body).toContain(answer.client_id);
      expect(body).not.toContain(answer.client_secret!.slice(4));
      expect(body).not.toMatch(/scrypt|secretHash|"client_secret":/);
    }
  });

  it("registers a key-only agent without issuing a secret, and keeps only the public members", async () => {
    const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
    const res = await post({ name: "Signer", credentials: { secret: false, jwks: { keys: [{ ...jwk, kid: "k1", x5c: ["ignored"] }] } } });
    expect(res.status).toBe(201);
    const answer = (await res.json()) as Answer;
    expect(answer.client_secret).toBeUndefined();
    expect(answer.agent).toMatchObject({ authMethods: ["private_key_jwt"], keyCount: 1, jwksUri: null });
    // No ceiling given: the agent may do nothing yet.
    expect(answer.agent.ceiling).toMatchObject({ providers: [], tools: [], methods: [], pathPatterns: [], allowServiceAccount: false });
    const row = await (await getDb()).agent.findUniqueOrThrow({ where: { id: answer.agent.id } });
    expect(row.secretHash).toBeNull();
    expect(row.jwks).toEqual({ keys: [{ ...jwk, kid: "k1" }] });
  });

  it("registers an agent that publishes its keys at a JWKS URL", async () => {
    const res = await post({ name: "Remote keys", credentials: { secret: false, jwksUri: "https://agent.example.com/.well-known/jwks.json" } });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Answer).agent).toMatchObject({
      authMethods: ["private_key_jwt"],
      jwksUri: "https://agent.example.com/.well-known/jwks.json",
      keyCount: 0,
    });
  });

  it("refuses a person who is not an administrator, and writes nothing", async () => {
    await browser.signIn(alice);
    const before = await counts();
    const problem = await expectRefused(await post({ name: "Sneaky", credentials: { secret: true } }), 403, before);
    expect(problem.code).toBe("forbidden");
    expect((await list()).status).toBe(403);
  });

  it("refuses someone who is not signed in", async () => {
    browser.signOut();
    expect((await list()).status).toBe(401);
    expect((await post({ name: "Nobody", credentials: { secret: true } })).status).toBe(401);
  });

  it("refuses a request from another site or without an Origin, and writes nothing", async () => {
    const before = await counts();
    expect((await expectRefused(await post({ name: "Forged", credentials: { secret: true } }, "https://evil.example"), 403, before)).code).toBe(
      "origin_mismatch",
    );
    expect((await expectRefused(await post({ name: "Forged", credentials: { secret: true } }, null), 403, before)).code).toBe("origin_mismatch");
  });

  const privateJwk = () => generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  it.each([
    ["no name", { credentials: { secret: true } }, /name/],
    ["a blank name", { name: "   ", credentials: { secret: true } }, /name/],
    ["a name of 81 characters", { name: "x".repeat(81), credentials: { secret: true } }, /80/],
    ["an unknown field", { name: "A", credentials: { secret: true }, secretHash: "x" }, /unknown field/],
    ["no way to authenticate", { name: "A", credentials: { secret: false } }, /at least one way/],
    ["a private key", { name: "A", credentials: { secret: false, jwks: { keys: [privateJwk()] } } }, /private key material/],
    ["a symmetric key", { name: "A", credentials: { secret: false, jwks: { keys: [{ kty: "oct", k: "c2VjcmV0" }] } } }, /symmetric/],
    ["a plain-http JWKS URL", { name: "A", credentials: { secret: false, jwksUri: "http://agent.example.com/jwks" } }, /https/],
    [
      "both a JWKS and a URL",
      {
        name: "A",
        credentials: { secret: false, jwks: { keys: [generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" })] }, jwksUri: "https://a.example/jwks" },
      },
      /not both/,
    ],
    [
      "a tool the vault does not know",
      { name: "A", credentials: { secret: true }, ceiling: { providers: ["demo-tasks"], tools: ["demo-tasks.drop_database"] } },
      /tool/,
    ],
    ["a provider outside the catalogue", { name: "A", credentials: { secret: true }, ceiling: { providers: ["nope-provider"] } }, /catalogue/],
    [
      "a tool of a provider not in the ceiling",
      { name: "A", credentials: { secret: true }, ceiling: { providers: ["demo-tasks"], tools: ["github.create_issue"] } },
      /"github".*not allow/,
    ],
    ["a bad path pattern", { name: "A", credentials: { secret: true }, ceiling: { pathPatterns: ["/../admin"] } }, /path/],
    ["a delegation longer than a year", { name: "A", credentials: { secret: true }, ceiling: { maxDelegationSeconds: 400 * 86_400 } }, /maxDelegationSeconds/],
    ["a body that is not JSON", "{name:", /JSON/],
  ])("refuses %s with a sentence and writes nothing", async (_label, body, pattern) => {
    const before = await counts();
    const problem = await expectRefused(await post(body), 400, before);
    expect(problem.detail).toMatch(pattern);
  });

  it("refuses a JWK of the right shape that is not a usable public key", async () => {
    const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    const offCurve = { ...jwk, y: jwk.x }; // (x, x) is not on P-256
    const before = await counts();
    const problem = await expectRefused(await post({ name: "Off curve", credentials: { secret: false, jwks: { keys: [offCurve] } } }), 400, before);
    expect(problem.code).toBe("invalid_jwks");
  });

  it("refuses a second agent with the same name in the tenant", async () => {
    expect((await post({ name: "Twin", credentials: { secret: true } })).status).toBe(201);
    const before = await counts();
    expect((await expectRefused(await post({ name: "twin", credentials: { secret: true } }), 409, before)).code).toBe("agent_name_taken");
  });
});

describe("GET /api/v1/agents", () => {
  it("lists the tenant's agents only: another tenant's admin sees none of them", async () => {
    const res = await list();
    const { agents } = (await res.json()) as { agents: { name: string }[] };
    expect(agents.map((a) => a.name)).toContain("Build bot");

    await browser.signIn(carolAsAdmin);
    const theirs = (await (await list()).json()) as { agents: unknown[] };
    expect(theirs.agents).toEqual([]);
    const acmeAgent = await (await getDb()).agent.findFirstOrThrow({ where: { tenantId: "acme" } });
    const res404 = await getOne(acmeAgent.id);
    expect(res404.status).toBe(404);
    expect(await res404.text()).not.toContain(acmeAgent.clientId);
  });
});
