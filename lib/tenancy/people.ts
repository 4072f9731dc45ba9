import "server-only";
// Tenants and people as the portal knows them. Sign-in creates or refreshes the person's row;
// every later data function re-reads it so a removed person or a changed role takes effect at once.
import { getDb } from "@/lib/db";
import { userArn } from "./arn";
import type { DemoPerson } from "./demo-people";

export type Person = { id: string; tenantId: string; arn: string; email: string; name: string; role: "user" | "admin" };

export async function upsertPerson(input: {
  id: string;
  tenantId: string;
  tenantName: string;
  email: string;
  name: string;
  role: "user" | "admin";
  subject?: string;
}): Promise<Person> {
  const db = await getDb();
  const arn = userArn(input.tenantId, input.id);
  // Two people of a new tenant signing in at once must not collide: ON CONFLICT makes the tenant
  // insert atomic (Prisma's upsert is a read then a write).
  await db.$executeRaw`INSERT INTO "Tenant" ("id", "name") VALUES (${input.tenantId}, ${input.tenantName}) ON CONFLICT ("id") DO NOTHING`;
  return db.$transaction(async (tx) => {
    const row = await tx.user.upsert({
      where: { arn },
      create: {
        id: `${input.tenantId}.${input.id}`,
        tenantId: input.tenantId,
        arn,
        email: input.email,
        name: input.name,
        role: input.role,
        subject: input.subject,
      },
      update: { email: input.email, name: input.name, role: input.role },
    });
    return { id: row.id, tenantId: row.tenantId, arn: row.arn, email: row.email, name: row.name, role: row.role };
  });
}

export function upsertDemoPerson(p: DemoPerson): Promise<Person> {
  return upsertPerson({ id: p.id, tenantId: p.tenantId, tenantName: p.tenantName, email: p.email, name: p.name, role: p.role });
}

export async function findPersonByArn(arn: string): Promise<Person | null> {
  const db = await getDb();
  const row = await db.user.findUnique({ where: { arn } });
  return row && { id: row.id, tenantId: row.tenantId, arn: row.arn, email: row.email, name: row.name, role: row.role };
}
