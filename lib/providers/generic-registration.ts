import "server-only";
// An administrator adds a provider whose key each person pastes. It is stored as a registration like
// a generic OAuth provider's, with its definition but without any OAuth client: no secret is sealed
// (the row has no ciphertext, so loadProviderClient finds no client for it), and the client id is a
// marker, never a real id. The connect flow refuses such a provider before looking for a client, and
// the catalogue counts it configured because the credential comes from the person. Adding it bumps
// the tenant's policy version (the registration trigger) and is an audit event.
import { appendAudit } from "@/lib/audit/append";
import { getDb } from "@/lib/db";
import { ConflictError, ForbiddenError } from "@/lib/errors";
import { Prisma } from "@/lib/generated/prisma/client";
import type { ProviderDefinition } from "@/lib/providers/schemas";
import type { Person } from "@/lib/tenancy/people";

/** The clientId column of a registration that has no OAuth client (the column is required). */
export const NO_OAUTH_CLIENT = "-";

export async function addApiKeyProvider(person: Person, definition: ProviderDefinition): Promise<{ key: string }> {
  if (person.role !== "admin") throw new ForbiddenError("Only an administrator of your organisation can add a provider.", "admin_only");
  if (definition.credential.type !== "api_key" || definition.kind !== "generic") {
    throw new Error("addApiKeyProvider takes a generic provider whose credential is pasted.");
  }
  const { credential } = definition;
  const db = await getDb();
  try {
    await db.$transaction(async (tx) => {
      const row = await tx.providerRegistration.create({
        data: {
          tenantId: person.tenantId,
          key: definition.key,
          clientId: NO_OAUTH_CLIENT,
          enabled: true,
          definition: definition as unknown as Prisma.InputJsonObject,
        },
        select: { id: true },
      });
      await appendAudit(tx, {
        tenantId: person.tenantId,
        actorArn: person.arn,
        action: "provider.add",
        outcome: "success",
        target: row.id,
        details: {
          provider: definition.key,
          credential: "api_key",
          apiHost: new URL(definition.apiBaseUrl).host,
          // Where the key goes, by name only: `header authorization`, `query api_key`, `basic`.
          placement: credential.apply.map((p) => (p.in === "basic" ? "basic" : `${p.in} ${p.name}`)),
          verify: credential.verify?.path ?? null,
        },
      });
    });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === "P2002") {
      throw new ConflictError(`The key "${definition.key}" is already used by a provider in your catalogue: choose another key.`, "provider_exists");
    }
    throw e;
  }
  return { key: definition.key };
}
