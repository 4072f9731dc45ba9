import "server-only";
// Who is asking the token endpoint for a token: exactly one of client_secret_basic, client_secret_post
// or private_key_jwt (RFC 6749 §2.3, RFC 7523). Every failure after the request is well-formed is the
// same `invalid_client` with the same sentence, so a caller cannot tell an unknown client from a wrong
// secret, a suspended agent or a bad assertion; the precise reason goes to the server log only.
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTVerifyGetKey } from "jose";

import { hashSecret, publicJwksSchema, verifyAgentSecret } from "@/lib/agents/credentials";
import { JWS_ALGS } from "@/lib/agents/jwks";
import { heldClientRow, holdClientRow, type ClientRow } from "@/lib/agents/verified-clients";
import { getDb, getSql } from "@/lib/db";
import { log } from "@/lib/log";
import { knownPolicyVersion, observePolicyVersion } from "@/lib/policy/facts";

import { OAuthError } from "./errors";
import { tokenEndpointUrl, vaultIssuer } from "./issuer";
import { authRetryAfter, recordAuthFailure, sourceAddress } from "./throttle";

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
export const CLIENT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"] as const;
export type ClientAuthMethod = (typeof CLIENT_AUTH_METHODS)[number];
/** Client assertion algorithms: asymmetric only, so `none` and every HS* (a shared secret) are refused. */
export const ASSERTION_ALGS: readonly string[] = JWS_ALGS;

/** Longest an assertion may still be valid for when it arrives. */
export const MAX_ASSERTION_SECONDS = 300;
const CLOCK_SKEW_SECONDS = 30;
const MAX_ASSERTION_LENGTH = 8192;
const MAX_JTI_LENGTH = 200;
const PURGE_EVERY_MS = 60_000;

export type TokenClient = {
  method: ClientAuthMethod;
  agent: { id: string; tenantId: string; clientId: string; name: string };
  /** The tenant policy version the agent's row was read at: what it issues is recorded only if that is still current. */
  policyVersion: number;
};

export const CLIENT_AUTH_FAILED = "Client authentication failed: the client is unknown or suspended, or its secret or signed assertion was not accepted.";
type AgentRow = ClientRow;

function refuse(reason: string): OAuthError {
  return new OAuthError("invalid_client", CLIENT_AUTH_FAILED, { reason });
}

/** Which methods the request tries, before any of them is checked. */
export function attemptedMethods(req: Request, form: URLSearchParams): ClientAuthMethod[] {
  const methods: ClientAuthMethod[] = [];
  if (req.headers.has("authorization")) methods.push("client_secret_basic");
  if (form.has("client_secret")) methods.push("client_secret_post");
  if (form.has("client_assertion") || form.has("client_assertion_type")) methods.push("private_key_jwt");
  return methods;
}

export type ClientAuthOptions = {
  /** Use this process's copy of the agent's row when it is at the newest policy version known here. */
  cached?: boolean;
  /** This very request was authenticated a moment ago (then decided on stale rows): its assertion's jti is already spent by it. */
  again?: boolean;
};

export async function authenticateClient(req: Request, form: URLSearchParams, opts: ClientAuthOptions = {}): Promise<TokenClient> {
  const methods = attemptedMethods(req, form);
  if (methods.length > 1)
    throw new OAuthError(
      "invalid_request",
      "The request uses more than one client authentication method: use exactly one (client_secret_basic, client_secret_post or private_key_jwt).",
    );
  const method = methods[0];
  const keys = { clientId: claimedClientId(req, form, method), address: sourceAddress(req) };
  const wait = await authRetryAfter(keys);
  if (wait > 0) {
    log.warn({ method, clientId: keys.clientId, address: keys.address }, "token endpoint throttled client authentication");
    throw new OAuthError("temporarily_unavailable", `Too many failed client authentications: wait ${wait} seconds before trying again.`, { retryAfter: wait });
  }
  try {
    if (!method) throw refuse("no client authentication");
    const cached = opts.cached === true;
    const agent =
      method === "client_secret_basic"
        ? await bySecret(...basicCredentials(req.headers.get("authorization")!, form), cached)
        : method === "client_secret_post"
          ? await bySecret(postCredentials(form), form.get("client_secret")!, cached)
          : await byAssertion(form, cached, opts.again === true);
    return { method, agent: { id: agent.id, tenantId: agent.tenantId, clientId: agent.clientId, name: agent.name }, policyVersion: agent.policyVersion };
  } catch (e) {
    if (e instanceof OAuthError) {
      if (e.error === "invalid_client") {
        log.info({ method, reason: e.internal.reason }, "token endpoint refused client authentication");
        await recordAuthFailure(keys);
      }
      throw e;
    }
    log.warn({ method, err: e }, "token endpoint client authentication failed unexpectedly");
    throw refuse("unexpected failure");
  }
}

/** The client id a request claims, before anything is checked: what throttling counts failures against. */
function claimedClientId(req: Request, form: URLSearchParams, method: ClientAuthMethod | undefined): string | null {
  if (method === "client_secret_basic") {
    const match = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(req.headers.get("authorization") ?? "");
    const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
    const colon = decoded.indexOf(":");
    return colon > 0 ? (formDecode(decoded.slice(0, colon)) ?? null) : null;
  }
  if (method === "private_key_jwt") {
    try {
      const iss = decodeJwt(form.get("client_assertion") ?? "").iss;
      return typeof iss === "string" ? iss : null;
    } catch {
      return form.get("client_id");
    }
  }
  return form.get("client_id");
}

// RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined with ":" and base64-encoded.
function basicCredentials(header: string, form: URLSearchParams): [string, string] {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(header);
  if (!match)
    throw new OAuthError("invalid_request", "The Authorization header must be HTTP Basic (client_secret_basic); send other credentials in the form instead.");
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) throw refuse("basic credentials without a colon");
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!clientId || secret === null) throw refuse("basic credentials not form-urlencoded");
  const inForm = form.get("client_id");
  if (inForm !== null && inForm !== clientId)
    throw new OAuthError("invalid_request", "client_id in the form differs from the one in the Authorization header.");
  return [clientId, secret];
}

function formDecode(value: string): string | null {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return null;
  }
}

function postCredentials(form: URLSearchParams): string {
  const clientId = form.get("client_id");
  if (!clientId) throw new OAuthError("invalid_request", "client_secret_post needs client_id next to client_secret in the form.");
  return clientId;
}

const AGENT_ROW = `
SELECT a."id", a."tenantId", a."clientId", a."name", a."status", a."secretHash", a."previousSecretHash",
  (extract(epoch from a."previousSecretExpiresAt") * 1000)::float8 AS "previousSecretExpiresAtMs", a."jwks", a."jwksUri",
  (extract(epoch from a."updatedAt") * 1000)::float8 AS "updatedAtMs", COALESCE(h."policyVersion", 0) AS "policyVersion"
FROM "Agent" a LEFT JOIN "AuditHead" h ON h."tenantId" = a."tenantId"
WHERE a."clientId" = $1`;
type RawAgentRow = Omit<AgentRow, "previousSecretExpiresAt" | "updatedAt"> & { previousSecretExpiresAtMs: number | null; updatedAtMs: number };

async function findAgent(clientId: string, cached: boolean): Promise<AgentRow | null> {
  if (clientId.length > 200) return null;
  // A row is served again only while its policy version is the newest this process knows.
  const held = cached ? heldClientRow(clientId) : undefined;
  if (held && held.policyVersion === knownPolicyVersion(held.tenantId)) return held;
  const sql = await getSql();
  const [raw] = await sql.query<RawAgentRow>(AGENT_ROW, [clientId]);
  if (!raw) return null;
  const { previousSecretExpiresAtMs, updatedAtMs, ...rest } = raw;
  const row: AgentRow = {
    ...rest,
    policyVersion: Number(raw.policyVersion),
    previousSecretExpiresAt: previousSecretExpiresAtMs === null ? null : new Date(previousSecretExpiresAtMs),
    updatedAt: new Date(updatedAtMs),
  };
  observePolicyVersion(row.tenantId, row.policyVersion);
  holdClientRow(row);
  return row;
}

// Spent on unknown clients so their refusal takes as long as a wrong secret's.
let decoyHash: Promise<string> | null = null;

async function bySecret(clientId: string, secret: string, cached: boolean): Promise<AgentRow> {
  const agent = await findAgent(clientId, cached);
  if (!agent || !agent.secretHash) {
    decoyHash ??= hashSecret(`decoy-${Math.random()}`);
    await verifyAgentSecret({ secretHash: await decoyHash, previousSecretHash: null, previousSecretExpiresAt: null }, secret);
    throw refuse(agent ? "agent has no client secret" : "unknown client");
  }
  if (!(await verifyAgentSecret(agent, secret))) throw refuse("wrong client secret");
  if (agent.status !== "active") throw refuse("agent suspended");
  return agent;
}

async function byAssertion(form: URLSearchParams, cached: boolean, again: boolean): Promise<AgentRow> {
  if (form.get("client_assertion_type") !== JWT_BEARER_ASSERTION_TYPE) {
    throw new OAuthError("invalid_request", `client_assertion_type must be ${JWT_BEARER_ASSERTION_TYPE}.`);
  }
  const assertion = form.get("client_assertion");
  if (!assertion) throw new OAuthError("invalid_request", "client_assertion is missing: send a JWT signed with the agent's registered key.");
  if (assertion.length > MAX_ASSERTION_LENGTH) throw refuse("assertion too long");

  let alg: unknown;
  let unverified: ReturnType<typeof decodeJwt>;
  try {
    alg = decodeProtectedHeader(assertion).alg;
    unverified = decodeJwt(assertion);
  } catch {
    throw refuse("assertion is not a JWT");
  }
  // Checked before any key is touched: `none` and HS* (the client secret as an HMAC key) never verify here.
  if (typeof alg !== "string" || !ASSERTION_ALGS.includes(alg)) throw refuse(`assertion algorithm not allowed`);
  const clientId = unverified.iss;
  if (typeof clientId !== "string" || !clientId || unverified.sub !== clientId) throw refuse("assertion iss and sub must both be the client id");
  const inForm = form.get("client_id");
  if (inForm !== null && inForm !== clientId) throw refuse("client_id differs from the assertion's issuer");

  const agent = await findAgent(clientId, cached);
  if (!agent) throw refuse("unknown client");
  if (agent.status !== "active") throw refuse("agent suspended");
  const keys = keySetOf(agent);
  if (!keys) throw refuse("agent has no registered public key");

  const issuer = vaultIssuer();
  let payload: Awaited<ReturnType<typeof jwtVerify>>["payload"];
  try {
    ({ payload } = await jwtVerify(assertion, keys, {
      algorithms: [...ASSERTION_ALGS],
      issuer: clientId,
      subject: clientId,
      // The issuer identifier only. RFC 7523 (and CONTRACT.md) also allow the token endpoint URL, but
      // draft-ietf-oauth-rfc7523bis forbids it: an assertion a client made for a look-alike server that
      // named our token endpoint as its own could otherwise be replayed here (audience injection).
      audience: issuer,
      requiredClaims: ["exp", "jti"],
      clockTolerance: CLOCK_SKEW_SECONDS,
    }));
  } catch {
    throw refuse("assertion signature, audience, issuer or lifetime not accepted");
  }
  const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (aud.includes(tokenEndpointUrl())) throw refuse("assertion audience names the token endpoint");
  const now = Math.floor(Date.now() / 1000);
  if (payload.exp! > now + MAX_ASSERTION_SECONDS + CLOCK_SKEW_SECONDS) throw refuse("assertion exp too far in the future");
  if (typeof payload.iat === "number" && payload.iat > now + CLOCK_SKEW_SECONDS) throw refuse("assertion iat in the future");
  const jti = payload.jti;
  if (typeof jti !== "string" || !jti || jti.length > MAX_JTI_LENGTH) throw refuse("assertion jti missing or too long");
  if (!again) await spendJti(clientId, jti, new Date((payload.exp! + CLOCK_SKEW_SECONDS) * 1000));
  return agent;
}

// Key sets per agent, rebuilt when the agent row changes; jose caches imported keys inside each set.
const localSets = new Map<string, { version: number; set: JWTVerifyGetKey }>();
const remoteSets = new Map<string, JWTVerifyGetKey>();
const MAX_CACHED_SETS = 500;

function keySetOf(agent: AgentRow): JWTVerifyGetKey | null {
  if (agent.jwks) {
    const held = localSets.get(agent.id);
    if (held && held.version === agent.updatedAt.getTime()) return held.set;
    const parsed = publicJwksSchema.safeParse(agent.jwks);
    if (!parsed.success) return null;
    const set = createLocalJWKSet(parsed.data as Parameters<typeof createLocalJWKSet>[0]);
    if (localSets.size >= MAX_CACHED_SETS) localSets.clear();
    localSets.set(agent.id, { version: agent.updatedAt.getTime(), set });
    return set;
  }
  if (agent.jwksUri) {
    let set = remoteSets.get(agent.jwksUri);
    if (!set) {
      set = createRemoteJWKSet(new URL(agent.jwksUri), { timeoutDuration: 3_000, cooldownDuration: 30_000, cacheMaxAge: 10 * 60_000 });
      if (remoteSets.size >= MAX_CACHED_SETS) remoteSets.clear();
      remoteSets.set(agent.jwksUri, set);
    }
    return set;
  }
  return null;
}

let lastPurge = 0;

/** Records the assertion's jti until it expires; a second use of it is a replay. */
async function spendJti(clientId: string, jti: string, expiresAt: Date): Promise<void> {
  const sql = await getSql();
  // Namespaced by client: two agents choosing the same jti must not block each other. One statement:
  // the insert either records it or, when it was already there, records nothing (a replay).
  const spent = await sql.query(
    `INSERT INTO "UsedAssertion" ("jti", "clientId", "expiresAt") VALUES ($1, $2, $3) ON CONFLICT ("jti") DO NOTHING RETURNING 1 AS "spent"`,
    [`${clientId}:${jti}`, clientId, expiresAt.toISOString()],
  );
  if (spent.length === 0) throw refuse("assertion jti replayed");
  const now = Date.now();
  if (now - lastPurge > PURGE_EVERY_MS) {
    lastPurge = now;
    void purgeExpiredAssertions(new Date(now)).catch((err: unknown) => log.warn({ err }, "could not purge expired client assertions"));
  }
}

/** Drops the jti records whose assertions have expired (they can no longer be replayed anyway). Returns how many. */
export async function purgeExpiredAssertions(now: Date = new Date()): Promise<number> {
  const db = await getDb();
  return (await db.usedAssertion.deleteMany({ where: { expiresAt: { lt: now } } })).count;
}
