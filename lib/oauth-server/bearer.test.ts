// Bearer tokens at the agent-facing routes: a token already in an agent's hands stops working the
// moment its delegation is revoked or its agent suspended; expired, mis-addressed, mistyped,
// tampered or foreign-signed tokens are refused.
import { randomUUID } from "node:crypto";

import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  agentToken as agentTokenOf,
  agentWithCredentials,
  delegationToken,
  insertConnection,
  insertDelegation,
  PORTAL_ORIGIN,
  startConnectWorld,
  type TestClient,
} from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { authenticateBearer, BearerError } = await import("./bearer");
const { signVaultJwt, rotateSigningKey } = await import("@/lib/vault/signing/signing-keys");
const ISSUER = PORTAL_ORIGIN;
const { alice } = world.people;

const db = await getDb();
let client: TestClient;
let connectionId: string;

beforeAll(async () => {
  client = await agentWithCredentials(db, "acme");
  connectionId = (await insertConnection(db, alice, { scopes: ["tasks.read", "tasks.write"] })).id;
});

afterAll(async () => {
  await world.provider.close();
});

async function newDelegation(scopes = ["tasks.read"]) {
  return insertDelegation(db, { agentId: client.agent.id, connection: { id: connectionId, tenantId: "acme", userId: alice.id }, scopes });
}

const tokenFor = (delegationId: string, c: TestClient = client) => delegationToken(c, delegationId);
const agentToken = (c: TestClient = client) => agentTokenOf(c);

const call = (token?: string, scheme = "Bearer") =>
  authenticateBearer(new Request(`${ISSUER}/api/v1/delegation`, { headers: token ? { authorization: `${scheme} ${token}` } : {} }));

async function expectBearerError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BearerError);
  expect(error).toMatchObject({ status: 401, code });
}

/** Claims of a real delegation token, for hand-made variants signed by the vault's own key. */
function claims(d: { id: string }, over: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: ISSUER,
    aud: ISSUER,
    sub: alice.arn,
    act: { sub: client.clientId },
    client_id: client.clientId,
    tid: "acme",
    cnx: connectionId,
    del: d.id,
    scope: "tasks.read",
    jti: randomUUID(),
    iat: now,
    exp: now + 300,
    ...over,
  };
}

describe("authenticateBearer", () => {
  it("accepts a delegation token and re-reads who it is for", async () => {
    const d = await newDelegation(["tasks.read", "tasks.write"]);
    const caller = await call(await tokenFor(d.id));
    expect(caller).toMatchObject({
      kind: "delegation",
      tenantId: "acme",
      agent: { id: client.agent.id, clientId: client.clientId },
      delegationId: d.id,
      connectionId,
      userArn: alice.arn,
      scopes: ["tasks.read", "tasks.write"],
    });
    if (caller.kind !== "delegation") throw new Error("expected a delegation caller");
    expect(caller.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 300_000);
    expect(typeof caller.tokenId).toBe("string");
  });

  it("accepts an agent token as an agent caller", async () => {
    expect(await call(await agentToken())).toEqual({
      kind: "agent",
      tenantId: "acme",
      agent: { id: client.agent.id, clientId: client.clientId, name: client.agent.name },
    });
  });

  it("refuses an already-issued token once its delegation is revoked", async () => {
    const d = await newDelegation();
    const token = await tokenFor(d.id);
    await call(token);
    await db.delegation.update({ where: { id: d.id }, data: { revokedAt: new Date() } });
    await expectBearerError(call(token), "delegation_revoked");
  });

  it("refuses an already-issued token once its delegation has expired or is deleted", async () => {
    const d = await newDelegation();
    const token = await tokenFor(d.id);
    await db.delegation.update({ where: { id: d.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectBearerError(call(token), "delegation_expired");
    await db.delegation.delete({ where: { id: d.id } });
    await expectBearerError(call(token), "delegation_unknown");
  });

  it("refuses delegation and agent tokens already issued once the agent is suspended, and again after it is resumed", async () => {
    const other = await agentWithCredentials(db, "acme");
    const d = await insertDelegation(db, { agentId: other.agent.id, connection: { id: connectionId, tenantId: "acme", userId: alice.id } });
    const delegationToken = await tokenFor(d.id, other);
    const plainToken = await agentToken(other);
    await db.agent.update({ where: { id: other.agent.id }, data: { status: "suspended" } });
    await expectBearerError(call(delegationToken), "agent_suspended");
    await expectBearerError(call(plainToken), "agent_suspended");
    await db.agent.update({ where: { id: other.agent.id }, data: { status: "active" } });
    expect((await call(delegationToken)).kind).toBe("delegation");
  });

  it("refuses an expired token", async () => {
    const d = await newDelegation();
    const now = Math.floor(Date.now() / 1000);
    const expired = await signVaultJwt(claims(d, { iat: now - 400, exp: now - 100 }), { typ: "at+jwt" });
    await expectBearerError(call(expired), "token_expired");
  });

  it("refuses a token for another audience, from another issuer, or of another type", async () => {
    const d = await newDelegation();
    await expectBearerError(call(await signVaultJwt(claims(d, { aud: "https://api.github.com" }), { typ: "at+jwt" })), "token_invalid");
    await expectBearerError(call(await signVaultJwt(claims(d, { iss: "https://evil.example" }), { typ: "at+jwt" })), "token_invalid");
    await expectBearerError(call(await signVaultJwt(claims(d), { typ: "JWT" })), "token_invalid");
    // The vault's own signature over claims that do not match the delegation (another person's ARN).
    await expectBearerError(call(await signVaultJwt(claims(d, { sub: "auth:account:acme:bob" }), { typ: "at+jwt" })), "delegation_unknown");
    await call(await signVaultJwt(claims(d), { typ: "at+jwt" }));
  });

  it("refuses a tampered token", async () => {
    const d = await newDelegation();
    const token = await tokenFor(d.id);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const widened = JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown>;
    widened.scope = "tasks.read tasks.write";
    await expectBearerError(call(`${header}.${Buffer.from(JSON.stringify(widened)).toString("base64url")}.${signature}`), "token_invalid");
    const flipped = signature.slice(0, -2) + (signature.at(-2) === "A" ? "B" : "A") + signature.at(-1);
    await expectBearerError(call(`${header}.${payload}.${flipped}`), "token_invalid");
  });

  it("refuses a token signed by another key under the vault's kid, and an unsigned one", async () => {
    const d = await newDelegation();
    const real = await tokenFor(d.id);
    const kid = (JSON.parse(Buffer.from(real.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;
    const { privateKey } = await generateKeyPair("EdDSA");
    const forged = await new SignJWT(claims(d)).setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid }).sign(privateKey);
    await expectBearerError(call(forged), "token_invalid");
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
    await expectBearerError(call(`${b64({ alg: "none", typ: "at+jwt", kid })}.${b64(claims(d))}.`), "token_invalid");
    const unknownKid = await new SignJWT(claims(d)).setProtectedHeader({ alg: "EdDSA", typ: "at+jwt", kid: "not-a-vault-key" }).sign(privateKey);
    await expectBearerError(call(unknownKid), "token_invalid");
  });

  it("accepts a token signed by a key that is now retiring, and refuses it once that key is retired", async () => {
    const d = await newDelegation();
    const token = await tokenFor(d.id);
    const kid = (JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { kid: string }).kid;
    await rotateSigningKey();
    expect((await call(token)).kind).toBe("delegation");
    expect((await call(await tokenFor(d.id))).kind).toBe("delegation");
    await db.signingKey.update({ where: { kid }, data: { status: "retired", retiredAt: new Date() } });
    const { resetSigningKeyCache } = await import("@/lib/vault/signing/signing-keys");
    resetSigningKeyCache();
    await expectBearerError(call(token), "token_invalid");
  });

  it("refuses a missing token, another scheme, and garbage", async () => {
    await expectBearerError(call(), "token_missing");
    const d = await newDelegation();
    await expectBearerError(call(await tokenFor(d.id), "Basic"), "token_invalid");
    await expectBearerError(call("not.a.jwt"), "token_invalid");
    await expectBearerError(call("x".repeat(10_000)), "token_invalid");
  });
});
