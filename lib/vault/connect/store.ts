import "server-only";
// Writes a connection and its encrypted token set. Reconnecting the same account (same tenant,
// person, provider and provider-side account id) updates the existing row instead of adding a copy.
import { randomUUID } from "node:crypto";
import type * as oauth from "oauth4webapi";
import { appendAudit } from "@/lib/audit/append";
import { nextStatus, reconnectByFrom } from "@/lib/connections/lifecycle";
import { observeGrant } from "@/lib/containment/detectors";
import { getDb } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ProviderDefinition } from "@/lib/providers/schemas";
import type { Person } from "@/lib/tenancy/people";
import { aadForConnection } from "@/lib/vault/crypto/aad";
import type { Account } from "@/lib/vault/connect/account";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { sealTokenSet } from "@/lib/vault/crypto/token-set";

export async function storeConnection(input: {
  person: Person;
  def: ProviderDefinition;
  tokens: oauth.TokenEndpointResponse;
  scopes: string[];
  account: Account;
}) {
  const { person, def, tokens, account } = input;
  const db = await getDb();
  const now = new Date();
  const expiresAt = typeof tokens.expires_in === "number" ? new Date(now.getTime() + tokens.expires_in * 1000) : null;
  const stored = await db.$transaction(async (tx) => {
    const key = { tenantId: person.tenantId, userId: person.id, providerKey: def.key, accountId: account.accountId };
    const existing = await tx.connection.findUnique({ where: { tenantId_userId_providerKey_accountId: key }, select: { id: true } });
    const id = existing?.id ?? randomUUID();
    const { blob, keyVersion } = sealTokenSet(getKeyRing(), aadForConnection({ id, tenantId: person.tenantId, userId: person.id }), {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      tokenType: tokens.token_type,
      expiresAt: expiresAt?.getTime(),
      scope: input.scopes.join(" "),
    });
    const data = {
      label: account.label,
      status: nextStatus("active", { kind: "connected" }),
      reconnectBy: reconnectByFrom(tokens, def.refreshTokenLifetimeDays, now),
      scopes: input.scopes,
      metadata: account.metadata as Prisma.InputJsonObject,
      encBlob: blob,
      keyVersion,
      expiresAt,
      lastRefreshedAt: now,
      failureCount: 0,
      lastError: null,
      revokedAt: null,
    };
    await tx.connection.upsert({ where: { tenantId_userId_providerKey_accountId: key }, create: { id, ...key, ...data }, update: data });
    await appendAudit(tx, {
      tenantId: person.tenantId,
      actorArn: person.arn,
      action: existing ? "connection.reconnect" : "connection.connect",
      outcome: "success",
      target: id,
      details: { provider: def.key, account: account.label, scopes: input.scopes },
    });
    return { id, reconnected: Boolean(existing) };
  });
  await observeGrant({ tenantId: person.tenantId, what: "connection", id: stored.id, agentId: null, connectionId: stored.id, scopes: input.scopes });
  return stored;
}
