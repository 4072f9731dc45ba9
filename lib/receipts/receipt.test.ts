// Receipts: signed with the vault's published key as typ receipt+jwt, with exactly the claims of
// CONTRACT.md; they verify with a stock JOSE library against the JWKS; a tampered receipt, or another
// vault-signed JWT (an access token) passed off as a receipt, does not verify.
import { createHash } from "node:crypto";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";

import { startConnectWorld } from "@/lib/testing/connect-harness";

const world = await startConnectWorld();
const { signReceipt } = await import("./receipt");
const { verifyReceipt } = await import("./verify");
const { receiptClaims, requestSha256, responseSha256 } = await import("./claims");
const { vaultPublicJwks } = await import("@/lib/vault/signing/signing-keys");
const { issueDelegationToken } = await import("@/lib/oauth-server/tokens");

afterAll(async () => {
  await world.provider.close();
});

const hex = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");
const input = {
  userArn: "auth:account:acme:alice",
  clientId: "agt_1",
  connectionId: "cnx-1",
  delegationId: "del-1",
  action: "demo-tasks.list_tasks",
  credential: "user" as const,
  requestSha256: hex("GET /tasks\n"),
  status: 200,
  responseSha256: responseSha256({ tasks: [] }),
  auditSeq: 42,
  auditHash: "a".repeat(64),
};

describe("signReceipt", () => {
  it("signs the contract's claims with the published key, verifiable by jose against the JWKS", async () => {
    const receipt = await signReceipt(input);
    const header = decodeProtectedHeader(receipt);
    expect(header).toMatchObject({ alg: "EdDSA", typ: "receipt+jwt" });
    const jwks = await vaultPublicJwks();
    expect(jwks.keys.map((k) => k.kid)).toContain(header.kid);
    const { payload } = await jwtVerify(receipt, createLocalJWKSet(jwks), { issuer: "http://localhost:3999", typ: "receipt+jwt" });
    expect(Object.keys(payload).sort()).toEqual(
      [
        "act",
        "action",
        "audit_hash",
        "audit_seq",
        "cnx",
        "credential",
        "del",
        "iat",
        "iss",
        "jti",
        "request_sha256",
        "response_sha256",
        "status",
        "sub",
      ].sort(),
    );
    expect(payload).toMatchObject({
      sub: input.userArn,
      act: { sub: "agt_1" },
      cnx: "cnx-1",
      del: "del-1",
      action: input.action,
      status: 200,
      audit_seq: 42,
      audit_hash: input.auditHash,
    });
    expect(receiptClaims.parse(payload)).toEqual(await verifyReceipt(receipt));
  });

  it("a tampered receipt does not verify", async () => {
    const [h, p, s] = (await signReceipt(input)).split(".");
    const forged = JSON.parse(Buffer.from(p!, "base64url").toString());
    forged.audit_seq = 41;
    await expect(verifyReceipt(`${h}.${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${s}`)).rejects.toThrow();
  });

  it("a delegation access token, signed by the same key, is not a receipt", async () => {
    const { token } = await issueDelegationToken({
      agent: { clientId: "agt_1", tenantId: "acme" },
      delegation: { id: "del-1", connectionId: "cnx-1", userArn: input.userArn, expiresAt: new Date(Date.now() + 60_000) },
      scopes: ["tasks.read"],
    });
    await expect(verifyReceipt(token)).rejects.toThrow();
  });
});

describe("the hashes a verifier recomputes", () => {
  it("request_sha256 covers method, upstream path and query, then the body bytes", () => {
    const url = new URL("https://api.example.com/v1/tasks?per_page=5");
    expect(requestSha256("post", url, Buffer.from('{"title":"x"}'))).toBe(hex('POST /v1/tasks?per_page=5\n{"title":"x"}'));
    expect(requestSha256("GET", url)).toBe(hex("GET /v1/tasks?per_page=5\n"));
    expect(requestSha256("GET", url, Buffer.alloc(0))).toBe(requestSha256("GET", url));
    expect(requestSha256("GET", new URL("https://api.example.com/v1/tasks?per_page=6"))).not.toBe(requestSha256("GET", url));
  });

  it("response_sha256 is the SHA-256 of the value's JSON, as the agent receives it", () => {
    const output = { task: { id: "t1", title: "Café ☕" } };
    expect(responseSha256(output)).toBe(hex(Buffer.from(JSON.stringify(output), "utf8")));
    expect(responseSha256(JSON.parse(JSON.stringify(output)))).toBe(responseSha256(output));
    expect(responseSha256(null)).toBe(hex("null"));
  });
});
