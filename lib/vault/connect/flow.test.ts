// The connect flow against the real Demo Tasks provider, on PGlite: the happy path, reconnecting,
// disconnecting (the provider confirms revocation), every callback attack refused before any code
// is redeemed with no connection written, and the raw database files holding no token.
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const world = await startConnectWorld();
const { getDb, closeDb } = await import("@/lib/db");
const { startConnect, completeConnect } = await import("@/lib/vault/connect/flow");
const { disconnectConnection } = await import("@/lib/vault/connect/disconnect");
const { openTokenSet } = await import("@/lib/vault/crypto/token-set");
const { aadForConnection, aadForPendingAuthorization } = await import("@/lib/vault/crypto/aad");
const { encrypt } = await import("@/lib/vault/crypto/encryption");
const { getKeyRing } = await import("@/lib/vault/crypto/keyring");
const { revealSecret } = await import("@/lib/vault/crypto/secret");
const { alice, bob, carol } = world.people;
type Person = typeof alice;

async function begin(person: Person = alice, scopes: string[] = []) {
  const { url, binding } = await startConnect({ person, providerKey: "demo-tasks", scopes });
  return { url, binding, state: url.searchParams.get("state")! };
}

async function connectionCount() {
  return (await getDb()).connection.count();
}

async function expectRefused(run: () => Promise<unknown>, code: string) {
  const before = await connectionCount();
  const grantsBefore = world.provider.stats().authorizationCodeGrants;
  await expect(run()).rejects.toMatchObject({ name: "ConnectError", code });
  expect(await connectionCount()).toBe(before);
  return { codeRedeemed: world.provider.stats().authorizationCodeGrants > grantsBefore };
}

async function plainTokens(connectionId: string) {
  const row = await (
    await getDb()
  ).connection.findUniqueOrThrow({ where: { id: connectionId }, select: { id: true, tenantId: true, userId: true, encBlob: true } });
  const set = openTokenSet(getKeyRing(), aadForConnection(row), row.encBlob!);
  const plain = { access: revealSecret(set.accessToken), refresh: set.refreshToken ? revealSecret(set.refreshToken) : "" };
  set.dispose();
  return plain;
}

const seenTokens: string[] = [];

afterAll(async () => {
  await world.provider.close();
});

describe("connect Demo Tasks", () => {
  it("connects, records the granted scopes and the account, and stores tokens encrypted", async () => {
    const { url, binding } = await begin(alice, ["tasks.read", "tasks.write"]);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const callback = await world.authorize(url, { username: "alice" });
    expect(callback.searchParams.get("iss")).toBe(world.provider.issuer);
    const done = await completeConnect({ person: alice, query: callback.searchParams, binding });
    const db = await getDb();
    const row = await db.connection.findUniqueOrThrow({ where: { id: done.connectionId } });
    expect(row).toMatchObject({
      status: "active",
      providerKey: "demo-tasks",
      accountId: "alice",
      label: "alice@demo-tasks.test",
      userId: alice.id,
      tenantId: "acme",
    });
    expect(row.scopes.sort()).toEqual(["tasks.read", "tasks.write"]);
    expect(row).not.toHaveProperty("encBlob");
    const tokens = await plainTokens(done.connectionId);
    expect(tokens.access.length).toBeGreaterThan(20);
    expect(tokens.refresh.length).toBeGreaterThan(20);
    seenTokens.push(tokens.access, tokens.refresh);
    const tasks = await fetch(`${world.provider.issuer}/tasks`, { headers: { authorization: `Bearer ${tokens.access}` } });
    expect(tasks.status).toBe(200);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { tenantId: "acme", action: "connection.connect", outcome: "success" } });
    expect(JSON.stringify(audit)).not.toContain(tokens.access);
  });

  it("reconnecting the same account updates the connection instead of adding a copy", async () => {
    const before = await connectionCount();
    const { url, binding } = await begin(alice, ["tasks.read"]);
    const done = await completeConnect({ person: alice, query: (await world.authorize(url, { username: "alice" })).searchParams, binding });
    expect(await connectionCount()).toBe(before);
    const row = await (await getDb()).connection.findUniqueOrThrow({ where: { id: done.connectionId } });
    expect(row.scopes).toEqual(["tasks.read"]);
    const tokens = await plainTokens(done.connectionId);
    seenTokens.push(tokens.access, tokens.refresh);
  });

  it("disconnect revokes at the provider, wipes the ciphertext and the provider then rejects the token", async () => {
    const { url, binding } = await begin(bob);
    const done = await completeConnect({ person: bob, query: (await world.authorize(url, { username: "bob" })).searchParams, binding });
    const tokens = await plainTokens(done.connectionId);
    seenTokens.push(tokens.access, tokens.refresh);
    await expect(disconnectConnection(alice, done.connectionId)).rejects.toMatchObject({ code: "not_found" });
    const result = await disconnectConnection(bob, done.connectionId);
    expect(result.revokedAtProvider).toBe(true);
    const row = await (
      await getDb()
    ).connection.findUniqueOrThrow({ where: { id: done.connectionId }, select: { status: true, encBlob: true, revokedAt: true } });
    expect(row.status).toBe("revoked");
    expect(row.encBlob).toBeNull();
    const tasks = await fetch(`${world.provider.issuer}/tasks`, { headers: { authorization: `Bearer ${tokens.access}` } });
    expect(tasks.status).toBe(401);
    await expect(disconnectConnection(bob, done.connectionId)).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("callback attacks: refused before any code is redeemed, no connection written", () => {
  it("replayed state", async () => {
    const { url, binding } = await begin();
    const callback = await world.authorize(url);
    await completeConnect({ person: alice, query: callback.searchParams, binding });
    const r = await expectRefused(() => completeConnect({ person: alice, query: callback.searchParams, binding }), "state_reused");
    expect(r.codeRedeemed).toBe(false);
  });

  it("expired state", async () => {
    const { url, binding, state } = await begin();
    const callback = await world.authorize(url);
    const { createHash } = await import("node:crypto");
    await (
      await getDb()
    ).pendingAuthorization.update({ where: { stateHash: createHash("sha256").update(state).digest("hex") }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await expectRefused(() => completeConnect({ person: alice, query: callback.searchParams, binding }), "state_expired")).codeRedeemed).toBe(false);
  });

  it("unknown state", async () => {
    const { url, binding } = await begin();
    const callback = await world.authorize(url);
    callback.searchParams.set("state", randomBytes(32).toString("base64url"));
    expect((await expectRefused(() => completeConnect({ person: alice, query: callback.searchParams, binding }), "state_invalid")).codeRedeemed).toBe(false);
  });

  it("missing state", async () => {
    const { url, binding } = await begin();
    const callback = await world.authorize(url);
    callback.searchParams.delete("state");
    expect((await expectRefused(() => completeConnect({ person: alice, query: callback.searchParams, binding }), "state_invalid")).codeRedeemed).toBe(false);
  });

  it("state of another person (same tenant), even with the victim's browser cookie", async () => {
    const { url, binding } = await begin(alice);
    const callback = await world.authorize(url);
    expect((await expectRefused(() => completeConnect({ person: bob, query: callback.searchParams, binding }), "session_mismatch")).codeRedeemed).toBe(false);
  });

  it("state of another tenant", async () => {
    const { url, binding } = await begin(alice);
    const callback = await world.authorize(url);
    expect((await expectRefused(() => completeConnect({ person: carol, query: callback.searchParams, binding }), "session_mismatch")).codeRedeemed).toBe(false);
  });

  it("state from another browser session (binding cookie missing or different)", async () => {
    const { url } = await begin(alice);
    const callback = await world.authorize(url);
    await expectRefused(
      () => completeConnect({ person: alice, query: callback.searchParams, binding: randomBytes(32).toString("base64url") }),
      "session_mismatch",
    );
    const second = await begin(alice);
    const cb2 = await world.authorize(second.url);
    expect((await expectRefused(() => completeConnect({ person: alice, query: cb2.searchParams }), "session_mismatch")).codeRedeemed).toBe(false);
  });

  it("wrong or missing iss (RFC 9207)", async () => {
    const { url, binding } = await begin();
    const callback = await world.authorize(url);
    callback.searchParams.set("iss", "http://127.0.0.1:1/evil");
    expect((await expectRefused(() => completeConnect({ person: alice, query: callback.searchParams, binding }), "issuer_mismatch")).codeRedeemed).toBe(false);
    const second = await begin();
    const cb2 = await world.authorize(second.url);
    cb2.searchParams.delete("iss");
    await expectRefused(() => completeConnect({ person: alice, query: cb2.searchParams, binding: second.binding }), "issuer_mismatch");
  });

  it("PKCE verifier mismatch: the provider refuses the code", async () => {
    const { url, binding, state } = await begin();
    const callback = await world.authorize(url);
    const db = await getDb();
    const { createHash } = await import("node:crypto");
    const pending = await db.pendingAuthorization.findUniqueOrThrow({
      where: { stateHash: createHash("sha256").update(state).digest("hex") },
      select: { id: true, tenantId: true, userId: true },
    });
    const forged = encrypt(getKeyRing(), aadForPendingAuthorization(pending), "x".repeat(64));
    await db.pendingAuthorization.update({ where: { id: pending.id }, data: { encBlob: forged.blob } });
    const tokenRequests = world.provider.stats().tokenRequests;
    await expectRefused(() => completeConnect({ person: alice, query: callback.searchParams, binding }), "token_exchange_failed");
    expect(world.provider.stats().tokenRequests).toBe(tokenRequests + 1);
  });

  it("provider error access_denied (the person clicked Deny)", async () => {
    const { url, binding } = await begin();
    const callback = await world.authorize(url, { decision: "deny" });
    expect(callback.searchParams.get("error")).toBe("access_denied");
    await expectRefused(() => completeConnect({ person: alice, query: callback.searchParams, binding }), "access_denied");
  });

  it("provider token endpoint answers 500", async () => {
    const { url, binding } = await begin();
    const callback = await world.authorize(url);
    expect((await world.control("/__test/fail-token-endpoint", { count: 1 })).status).toBe(200);
    await expectRefused(() => completeConnect({ person: alice, query: callback.searchParams, binding }), "token_exchange_failed");
  });
});

describe("storage", () => {
  it("the raw PGlite files contain neither the access token nor the refresh token", async () => {
    expect(seenTokens.length).toBeGreaterThanOrEqual(6);
    await closeDb();
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else files.push(p);
      }
    };
    walk(world.dataDir);
    expect(files.length).toBeGreaterThan(50);
    let bytes = 0;
    for (const file of files) {
      const content = readFileSync(file);
      bytes += content.length;
      for (const token of seenTokens) expect(content.includes(Buffer.from(token)), `${token.slice(0, 4)}… found in ${file}`).toBe(false);
    }
    expect(bytes).toBeGreaterThan(1_000_000);
  });
});
