// Two portal processes on one PostgreSQL (two connection pools here) asking for a signing key at the
// same moment create exactly one, and replacing a key that is too old happens once, not twice.
import { afterAll, expect, it } from "vitest";

import { createPostgresDatabase } from "@/lib/testing/db";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const database = await createPostgresDatabase();
const world = await startConnectWorld({ databaseUrl: database.url });
const { getDb, closeDb, createPrismaClient } = await import("@/lib/db");
const { ensureActiveKey, SIGNING_KEY_MAX_AGE_MS } = await import("@/lib/vault/signing/signing-keys");

const first = await getDb();
const second = await createPrismaClient({ kind: "postgres", url: database.url });

afterAll(async () => {
  await second.close();
  await closeDb();
  await world.provider.close();
  await database.drop();
});

it("creates one key when two processes race on first use, and rotates an old key once", async () => {
  const clients = [first, second.prisma];
  const created = await Promise.all(Array.from({ length: 8 }, (_, i) => ensureActiveKey(clients[i % 2]!, { force: false })));
  expect(new Set(created).size).toBe(1);
  expect(await first.signingKey.count()).toBe(1);

  await first.signingKey.update({ where: { kid: created[0]! }, data: { createdAt: new Date(Date.now() - SIGNING_KEY_MAX_AGE_MS - 60_000) } });
  const rotated = await Promise.all(Array.from({ length: 8 }, (_, i) => ensureActiveKey(clients[i % 2]!, { force: false })));
  expect(new Set(rotated).size).toBe(1);
  expect(rotated[0]).not.toBe(created[0]);
  expect(await first.signingKey.groupBy({ by: ["status"], _count: { _all: true }, orderBy: { status: "asc" } })).toEqual([
    { status: "active", _count: { _all: 1 } },
    { status: "retiring", _count: { _all: 1 } },
  ]);
});
