import "server-only";
// Disconnect: revoke at the provider where it supports revocation (RFC 7009, refresh token first so
// the whole grant dies), wipe the ciphertext, revoke every delegation on the connection, audit it.
// The local wipe happens even when the provider cannot be reached: the person asked to disconnect.
import * as oauth from "oauth4webapi";
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { NotFoundError } from "@/lib/errors";
import { log } from "@/lib/log";
import { getTenantProvider } from "@/lib/providers/registry";
import type { ProviderDefinition } from "@/lib/providers/schemas";
import type { Person } from "@/lib/tenancy/people";
import { aadForConnection } from "@/lib/vault/crypto/aad";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { authorizationServer, clientAuth, oauthClient, PROVIDER_TIMEOUT_MS, requestOptions } from "@/lib/vault/provider-oauth/client";
import { loadProviderClient } from "@/lib/vault/provider-oauth/client-credentials";
import { revealSecret, type Secret } from "@/lib/vault/crypto/secret";
import { openTokenSet } from "@/lib/vault/crypto/token-set";

async function revokeOne(def: ProviderDefinition, clientId: string, clientSecret: Secret, token: Secret): Promise<void> {
  if (def.revocationStyle === "bearer") {
    const res = await fetch(def.revocationUrl!, {
      method: "POST",
      redirect: "manual",
      signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
      headers: { authorization: token.authorizationHeader() },
    });
    if (!res.ok) throw new Error(`revocation answered ${res.status}`);
    return;
  }
  const as = authorizationServer(def);
  const res = await oauth.revocationRequest(as, oauthClient(clientId), clientAuth(def, clientSecret), revealSecret(token), requestOptions(def));
  await oauth.processRevocationResponse(res);
}

export async function disconnectConnection(person: Person, connectionId: string): Promise<{ revokedAtProvider: boolean; delegationsRevoked: number }> {
  const db = await getDb();
  const row = await db.connection.findFirst({
    where: { id: connectionId, tenantId: person.tenantId, userId: person.id, status: { not: "revoked" } },
    select: { id: true, tenantId: true, userId: true, providerKey: true, label: true, encBlob: true, isServiceAccount: true },
  });
  if (!row) throw new NotFoundError("There is no such connection among yours.");

  let revokedAtProvider = false;
  const provider = await getTenantProvider(person.tenantId, row.providerKey);
  const def = provider?.definition;
  if (row.encBlob && def?.revocationUrl) {
    const client = await loadProviderClient(person.tenantId, row.providerKey);
    const tokens = openTokenSet(getKeyRing(), aadForConnection(row), row.encBlob);
    try {
      if (client) {
        if (tokens.refreshToken) await revokeOne(def, client.clientId, client.clientSecret, tokens.refreshToken);
        await revokeOne(def, client.clientId, client.clientSecret, tokens.accessToken);
        revokedAtProvider = true;
      }
    } catch (e) {
      log.warn({ provider: row.providerKey, connection: row.id, err: e }, "revocation at the provider failed; wiping the local credential anyway");
    } finally {
      tokens.dispose();
      client?.clientSecret.dispose();
    }
  }

  return db.$transaction(async (tx) => {
    const now = new Date();
    // No longer the tenant's service account either: connecting the account again must not silently make it one.
    await tx.connection.update({
      where: { id: row.id },
      data: { status: "revoked", encBlob: null, keyVersion: null, revokedAt: now, expiresAt: null, isServiceAccount: false },
    });
    const { count } = await tx.delegation.updateMany({ where: { connectionId: row.id, revokedAt: null }, data: { revokedAt: now, revokedById: person.id } });
    await appendAudit(tx, {
      tenantId: person.tenantId,
      actorArn: person.arn,
      action: "connection.disconnect",
      outcome: "success",
      target: row.id,
      details: {
        provider: row.providerKey,
        account: row.label,
        revokedAtProvider,
        delegationsRevoked: count,
        ...(row.isServiceAccount ? { wasServiceAccount: true } : {}),
      },
    });
    return { revokedAtProvider, delegationsRevoked: count };
  });
}
