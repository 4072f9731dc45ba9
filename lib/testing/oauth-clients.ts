// Agents with real credentials (a client secret and a registered public key) and the token requests
// they send, for token-endpoint tests and the token-exchange bench. The requests are built by hand
// on purpose, so tests can send exactly the malformed or hostile variants a real client would not.
import { randomUUID } from "node:crypto";

import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from "jose";

import { generateClientSecret, hashSecret } from "@/lib/agents/credentials";
import type { Ceiling } from "@/lib/agents/ceiling";
import type { VaultPrismaClient } from "@/lib/db";
import { DEMO_TASKS_CEILING, insertAgent } from "@/lib/testing/fixtures";

export const TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
export const DELEGATION_ID_TYPE = "urn:tokenvault:params:oauth:token-type:delegation-id";
export const JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export type TestClient = Awaited<ReturnType<typeof agentWithCredentials>>;

export async function agentWithCredentials(
  db: VaultPrismaClient,
  tenantId: string,
  opts: {
    alg?: "EdDSA" | "ES256" | "RS256";
    name?: string;
    ceiling?: Partial<Ceiling>;
    status?: "active" | "suspended";
    withKey?: boolean;
    withSecret?: boolean;
  } = {},
) {
  const alg = opts.alg ?? "EdDSA";
  const secret = generateClientSecret();
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `key-${randomUUID().slice(0, 8)}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  const agent = await insertAgent(db, tenantId, {
    name: opts.name,
    ceiling: opts.ceiling ?? DEMO_TASKS_CEILING,
    status: opts.status,
    secretHash: opts.withSecret === false ? undefined : await hashSecret(secret),
    jwks: opts.withKey === false ? undefined : { keys: [jwk] },
  });
  return { agent, clientId: agent.clientId, secret, privateKey, publicJwk: jwk, kid, alg };
}

/** A private_key_jwt client assertion; `claims` overrides (undefined removes a claim), `header` adds to the header. */
export async function clientAssertion(
  client: Pick<TestClient, "clientId" | "privateKey" | "kid" | "alg">,
  audience: string | string[],
  claims: Partial<Record<keyof JWTPayload | string, unknown>> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { iss: client.clientId, sub: client.clientId, aud: audience, iat: now, exp: now + 60, jti: randomUUID(), ...claims };
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k];
  return new SignJWT(payload as JWTPayload).setProtectedHeader({ alg: client.alg, kid: client.kid, typ: "JWT" }).sign(client.privateKey);
}

/** An unsigned JWT (`alg: none`). */
export function unsignedAssertion(payload: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return `${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`;
}

/** RFC 6749 §2.3.1 Basic credentials: each part form-urlencoded before joining. */
export function basicHeader(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, "+");
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString("base64")}`;
}

export function tokenRequest(
  issuer: string,
  params: Record<string, string> | [string, string][],
  opts: { authorization?: string; contentType?: string; body?: string } = {},
): Request {
  const headers: Record<string, string> = { "content-type": opts.contentType ?? "application/x-www-form-urlencoded" };
  if (opts.authorization) headers.authorization = opts.authorization;
  return new Request(`${issuer}/api/oauth/token`, { method: "POST", headers, body: opts.body ?? new URLSearchParams(params).toString() });
}

export function exchangeParams(delegationId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: TOKEN_EXCHANGE, subject_token: delegationId, subject_token_type: DELEGATION_ID_TYPE, ...extra };
}
