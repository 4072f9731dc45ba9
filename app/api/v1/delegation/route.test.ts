// GET /api/v1/delegation with a delegation token: describes the grant (never a credential), refuses
// agent tokens with 403, missing or bad tokens with a 401 Bearer challenge, and echoes X-Request-ID.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  agentWithCredentials,
  exchangeParams,
  insertConnection,
  insertDelegation,
  issueToken,
  PORTAL_ORIGIN,
  startConnectWorld,
  type TestClient,
} from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { GET } = await import("./route");
const ISSUER = PORTAL_ORIGIN;
const { alice } = world.people;

const db = await getDb();
let client: TestClient;
let delegation: { id: string; connectionId: string };

beforeAll(async () => {
  client = await agentWithCredentials(db, "acme");
  const connection = await insertConnection(db, alice, { scopes: ["tasks.read", "tasks.write"], label: "alice@demo-tasks" });
  delegation = await insertDelegation(db, {
    agentId: client.agent.id,
    connection,
    scopes: ["tasks.read"],
    tools: ["demo-tasks.list_tasks"],
    constraints: { readOnly: true },
  });
});

afterAll(async () => {
  await world.provider.close();
});

const token = (params: Record<string, string>) => issueToken(client, params);

const get = (headers: Record<string, string> = {}) => GET(new Request(`${ISSUER}/api/v1/delegation`, { headers }));

describe("GET /api/v1/delegation", () => {
  it("describes the delegation behind the token, with no credential in it", async () => {
    const res = await get({ authorization: `Bearer ${await token(exchangeParams(delegation.id))}`, "x-request-id": "req-123" });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("req-123");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: delegation.id,
      agent: { clientId: client.clientId },
      user: { arn: alice.arn, name: alice.name },
      connection: { id: delegation.connectionId, provider: "demo-tasks", label: "alice@demo-tasks", scopes: ["tasks.read", "tasks.write"], status: "active" },
      scopes: ["tasks.read"],
      tools: ["demo-tasks.list_tasks"],
      constraints: { readOnly: true },
      token: { scopes: ["tasks.read"] },
    });
    expect(typeof body.expiresAt).toBe("string");
    expect(JSON.stringify(body)).not.toMatch(/encBlob|access_token|refresh_token|secret/i);
  });

  it("refuses an agent token with 403 and a Bearer insufficient_scope challenge", async () => {
    const res = await get({ authorization: `Bearer ${await token({ grant_type: "client_credentials" })}` });
    expect(res.status).toBe(403);
    expect(res.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expect(((await res.json()) as { code: string }).code).toBe("wrong_token_kind");
  });

  it("answers 401 with a Bearer challenge when the token is missing or invalid, and makes up a request id", async () => {
    const missing = await get();
    expect(missing.status).toBe(401);
    expect(missing.headers.get("content-type")).toContain("application/problem+json");
    expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="token-vault"');
    expect(missing.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const invalid = await get({ authorization: "Bearer abc.def.ghi", "x-request-id": "bad id with spaces" });
    expect(invalid.status).toBe(401);
    expect(invalid.headers.get("www-authenticate")).toMatch(/^Bearer realm="token-vault", error="invalid_token", error_description="/);
    expect(invalid.headers.get("x-request-id")).not.toBe("bad id with spaces");
    expect(((await invalid.json()) as { code: string }).code).toBe("token_invalid");
  });

  it("stops answering for a token whose delegation was revoked", async () => {
    const connection = await insertConnection(db, alice);
    const d = await insertDelegation(db, { agentId: client.agent.id, connection });
    const bearer = `Bearer ${await token(exchangeParams(d.id))}`;
    expect((await get({ authorization: bearer })).status).toBe(200);
    await db.delegation.update({ where: { id: d.id }, data: { revokedAt: new Date() } });
    const res = await get({ authorization: bearer });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe("delegation_revoked");
  });
});
