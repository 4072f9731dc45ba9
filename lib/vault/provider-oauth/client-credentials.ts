import "server-only";
// A tenant's OAuth client credentials for each provider. The client secret is encrypted like a
// token (purpose provider.client_secret, bound to the registration row) and only ever comes back
// out as a Secret, for a token-endpoint request.
import { randomUUID } from "node:crypto";
import { getDb } from "@/lib/db";
import type { Prisma } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";
import { DEMO_PROVIDER_KEY } from "@/lib/providers";
import { fileEntriesFor, providersFile } from "@/lib/providers/registry";
import type { ProviderDefinition } from "@/lib/providers/schemas";
import { aadForProviderRegistration } from "@/lib/vault/crypto/aad";
import { decrypt, encrypt } from "@/lib/vault/crypto/encryption";
import { getKeyRing } from "@/lib/vault/crypto/keyring";
import { Secret } from "@/lib/vault/crypto/secret";

export type ProviderClient = { clientId: string; clientSecret: Secret };

export async function loadProviderClient(tenantId: string, key: string): Promise<ProviderClient | null> {
  const config = env();
  if (key === DEMO_PROVIDER_KEY && config.demoProvider && config.demoProviderSecret) {
    return { clientId: config.demoProvider.clientId, clientSecret: new Secret(config.demoProviderSecret) };
  }
  const fromFile = fileEntriesFor(await providersFile(), tenantId).find((e) => e.key === key);
  if (fromFile) return { clientId: fromFile.clientId, clientSecret: new Secret(fromFile.clientSecret) };
  const db = await getDb();
  const row = await db.providerRegistration.findUnique({
    where: { tenantId_key: { tenantId, key } },
    select: { id: true, tenantId: true, clientId: true, encBlob: true, enabled: true },
  });
  if (!row || !row.enabled || !row.encBlob) return null;
  const plain = decrypt(getKeyRing(), aadForProviderRegistration(row), row.encBlob);
  return { clientId: row.clientId, clientSecret: new Secret(plain.toString("utf8")) };
}

/** Saves (or replaces) a tenant's client credentials; generic providers also store their definition. */
export async function saveProviderClient(input: {
  tenantId: string;
  key: string;
  clientId: string;
  clientSecret: string;
  definition?: ProviderDefinition;
}): Promise<{ id: string }> {
  const db = await getDb();
  const ring = getKeyRing();
  return db.$transaction(async (tx) => {
    const existing = await tx.providerRegistration.findUnique({ where: { tenantId_key: { tenantId: input.tenantId, key: input.key } }, select: { id: true } });
    const id = existing?.id ?? randomUUID();
    const { blob, keyVersion } = encrypt(ring, aadForProviderRegistration({ id, tenantId: input.tenantId }), input.clientSecret);
    const data = {
      clientId: input.clientId,
      encBlob: blob,
      keyVersion,
      enabled: true,
      ...(input.definition ? { definition: input.definition as unknown as Prisma.InputJsonObject } : {}),
    };
    await tx.providerRegistration.upsert({
      where: { tenantId_key: { tenantId: input.tenantId, key: input.key } },
      create: { id, tenantId: input.tenantId, key: input.key, ...data },
      update: data,
    });
    return { id };
  });
}
