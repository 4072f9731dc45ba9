import "server-only";
// The connect flow (authorization code + PKCE S256). Start: a pending authorization whose state is
// stored only as a hash, whose PKCE verifier is encrypted, bound to tenant, person, provider and a
// browser-binding cookie, for five minutes, once. Complete: the state is consumed atomically and
// every check passes before any code is redeemed; the code is exchanged server-side and the token
// set stored encrypted on the connection row.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import * as oauth from "oauth4webapi";
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { buildAuthorizationUrl, resolveRequestedScopes, AuthorizationUrlError } from "@/lib/providers/authorize-url";
import { getTenantProvider } from "@/lib/providers/registry";
import type { Person } from "@/lib/tenancy/people";
import { aadForPendingAuthorization } from "@/lib/vault/crypto/aad";
import { ConnectError } from "@/lib/vault/connect/errors";
import { fetchAccount } from "@/lib/vault/connect/account";
import { decrypt, encrypt } from "@/lib/vault/crypto/encryption";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { authorizationServer, clientAuth, oauthClient, requestOptions } from "@/lib/vault/provider-oauth/client";
import { loadProviderClient } from "@/lib/vault/provider-oauth/client-credentials";
import { storeConnection } from "@/lib/vault/connect/store";

export const PENDING_TTL_MS = 5 * 60 * 1000;
const sha256 = (v: string) => createHash("sha256").update(v).digest("hex");

export function callbackUrl(): string {
  return `${env().nextauthUrl.replace(/\/$/, "")}/api/oauth/callback`;
}

export async function startConnect(input: { person: Person; providerKey: string; scopes: string[]; popupNonce?: string }) {
  const { person, providerKey } = input;
  const provider = await getTenantProvider(person.tenantId, providerKey);
  if (!provider) throw new ConnectError("unknown_provider", `There is no provider "${providerKey}" in this portal.`, providerKey);
  if (provider.definition.credential.type !== "oauth2") {
    throw new ConnectError(
      "invalid_request",
      `${provider.definition.name} connects with a key you paste on the Connections page, not by signing in.`,
      providerKey,
    );
  }
  const client = provider.configured ? await loadProviderClient(person.tenantId, providerKey) : null;
  if (!client)
    throw new ConnectError(
      "not_configured",
      `${provider.definition.name} is not set up yet: an administrator must register its client credentials.`,
      providerKey,
    );
  client.clientSecret.dispose();
  let scopes: string[];
  try {
    scopes = resolveRequestedScopes(provider.definition, input.scopes);
  } catch (e) {
    if (e instanceof AuthorizationUrlError) throw new ConnectError("invalid_request", e.message, providerKey);
    throw e;
  }

  const state = randomBytes(32).toString("base64url");
  const binding = randomBytes(32).toString("base64url");
  const verifier = oauth.generateRandomCodeVerifier();
  const id = randomUUID();
  const { blob, keyVersion } = encrypt(getKeyRing(), aadForPendingAuthorization({ id, tenantId: person.tenantId, userId: person.id }), verifier);
  const db = await getDb();
  await db.pendingAuthorization.create({
    data: {
      id,
      tenantId: person.tenantId,
      userId: person.id,
      providerKey,
      stateHash: sha256(state),
      sessionBinding: sha256(binding),
      encBlob: blob,
      keyVersion,
      nonce: input.popupNonce ?? randomBytes(16).toString("base64url"),
      scopes,
      popup: Boolean(input.popupNonce),
      expiresAt: new Date(Date.now() + PENDING_TTL_MS),
    },
  });
  const url = buildAuthorizationUrl(provider.definition, {
    clientId: client.clientId,
    redirectUri: callbackUrl(),
    state,
    codeChallenge: provider.definition.pkce ? await oauth.calculatePKCECodeChallenge(verifier) : undefined,
    scopes,
  });
  return { url, binding, expiresInSeconds: PENDING_TTL_MS / 1000 };
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

/** Consumes the pending authorization for `state` (once) and checks it belongs to this person and browser. */
async function consumePending(person: Person, state: string | null, binding: string | undefined) {
  if (!state) throw new ConnectError("state_invalid", "The provider's answer carried no state, so it cannot be matched to a connect request.");
  const db = await getDb();
  const stateHash = sha256(state);
  const now = new Date();
  const claimed = await db.pendingAuthorization.updateMany({ where: { stateHash, consumedAt: null }, data: { consumedAt: now } });
  const row = await db.pendingAuthorization.findUnique({
    where: { stateHash },
    select: {
      id: true,
      tenantId: true,
      userId: true,
      providerKey: true,
      sessionBinding: true,
      encBlob: true,
      scopes: true,
      popup: true,
      nonce: true,
      expiresAt: true,
    },
  });
  if (!row) throw new ConnectError("state_invalid", "This connect request is unknown to the vault.");
  if (claimed.count !== 1) throw new ConnectError("state_reused", "This connect request was already used.", row.providerKey);
  if (row.tenantId !== person.tenantId || row.userId !== person.id) {
    throw new ConnectError("session_mismatch", "This connect request was started by someone else.", row.providerKey);
  }
  if (!binding || !sameHash(sha256(binding), row.sessionBinding)) {
    throw new ConnectError("session_mismatch", "This connect request was started in another browser session.", row.providerKey);
  }
  if (row.expiresAt.getTime() < now.getTime())
    throw new ConnectError("state_expired", "This connect request expired (they last five minutes).", row.providerKey);
  return row;
}

export async function completeConnect(input: { person: Person; query: URLSearchParams; binding?: string }) {
  const { person, query } = input;
  const pending = await consumePending(person, query.get("state"), input.binding);
  try {
    return await completePending(person, query, pending);
  } catch (e) {
    // The request is this person's own (consumePending checked it): a popup reports the failure to its opener.
    if (e instanceof ConnectError && pending.popup) e.popupNonce = pending.nonce;
    throw e;
  }
}

async function completePending(person: Person, query: URLSearchParams, pending: Awaited<ReturnType<typeof consumePending>>) {
  const providerKey = pending.providerKey;
  const provider = await getTenantProvider(person.tenantId, providerKey);
  const client = provider && (await loadProviderClient(person.tenantId, providerKey));
  if (!provider || !client) throw new ConnectError("not_configured", "This provider is no longer set up in the portal.", providerKey);
  const def = provider.definition;
  const as = authorizationServer(def);
  const oclient = oauthClient(client.clientId);
  try {
    let params: URLSearchParams;
    try {
      params = oauth.validateAuthResponse(as, oclient, query, oauth.skipStateCheck);
    } catch (e) {
      if (e instanceof oauth.AuthorizationResponseError) {
        const denied = e.error === "access_denied";
        throw new ConnectError(
          denied ? "access_denied" : "provider_error",
          denied ? `You declined access at ${def.name}.` : `${def.name} answered with the error "${e.error}".`,
          providerKey,
        );
      }
      throw new ConnectError("issuer_mismatch", `The answer did not come from ${def.name}'s authorization server (issuer check failed).`, providerKey);
    }
    const verifier = decrypt(getKeyRing(), aadForPendingAuthorization(pending), pending.encBlob).toString("utf8");
    let tokens: oauth.TokenEndpointResponse;
    try {
      const res = await oauth.authorizationCodeGrantRequest(
        as,
        oclient,
        clientAuth(def, client.clientSecret),
        params,
        callbackUrl(),
        def.pkce ? verifier : oauth.nopkce,
        requestOptions(def, def.tokenParams),
      );
      tokens = await oauth.processAuthorizationCodeResponse(as, oclient, res);
    } catch (e) {
      const why =
        e instanceof oauth.ResponseBodyError
          ? `it answered ${e.status} ${e.error}`
          : e instanceof oauth.OperationProcessingError
            ? "its answer was not a valid token response"
            : "it could not be reached";
      throw new ConnectError("token_exchange_failed", `${def.name} did not issue tokens: ${why}.`, providerKey);
    }
    const granted = typeof tokens.scope === "string" ? tokens.scope.split(/[ ,]+/).filter(Boolean) : pending.scopes;
    const account = await fetchAccount(def, tokens);
    const connection = await storeConnection({ person, def, tokens, scopes: granted, account });
    log.info({ provider: providerKey, connection: connection.id, reconnected: connection.reconnected }, "connection stored");
    return { connectionId: connection.id, providerName: def.name, popup: pending.popup, nonce: pending.nonce };
  } finally {
    client.clientSecret.dispose();
  }
}

/** Records a refused or failed connect attempt; never includes a token or code. */
export async function auditConnectFailure(person: Person, error: ConnectError): Promise<void> {
  const db = await getDb();
  await db.$transaction((tx) =>
    appendAudit(tx, {
      tenantId: person.tenantId,
      actorArn: person.arn,
      action: "connection.connect",
      outcome: "failure",
      target: error.providerKey ?? null,
      details: { code: error.code, reason: error.message },
    }),
  );
}
