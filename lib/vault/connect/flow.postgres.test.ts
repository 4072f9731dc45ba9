// Storage on PostgreSQL: after connecting Demo Tasks (twice, so a reconnect's rewrite is covered
// too), a pg_dump of the whole database contains neither the access token nor the refresh token.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { createPostgresDatabase } from "@/lib/testing/db";
import { startConnectWorld } from "@/lib/testing/connect-harness";
import { findPostgresBin } from "@/lib/testing/postgres";

const database = await createPostgresDatabase();
const world = await startConnectWorld({ databaseUrl: database.url });
const { getDb, closeDb } = await import("@/lib/db");
const { startConnect, completeConnect } = await import("@/lib/vault/connect/flow");
const { openTokenSet } = await import("@/lib/vault/crypto/token-set");
const { aadForConnection } = await import("@/lib/vault/crypto/aad");
const { getKeyRing } = await import("@/lib/vault/crypto/keyring");
const { revealSecret } = await import("@/lib/vault/crypto/secret");

afterAll(async () => {
  await closeDb();
  await world.provider.close();
  await database.drop();
});

it("a SQL dump of PostgreSQL holds no access or refresh token", async () => {
  const { alice } = world.people;
  const tokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const { url, binding } = await startConnect({ person: alice, providerKey: "demo-tasks", scopes: [] });
    const done = await completeConnect({ person: alice, query: (await world.authorize(url)).searchParams, binding });
    const row = await (
      await getDb()
    ).connection.findUniqueOrThrow({ where: { id: done.connectionId }, select: { id: true, tenantId: true, userId: true, encBlob: true } });
    const set = openTokenSet(getKeyRing(), aadForConnection(row), row.encBlob!);
    tokens.push(revealSecret(set.accessToken), revealSecret(set.refreshToken!));
    set.dispose();
  }
  expect(new Set(tokens).size).toBe(4);
  const bin = findPostgresBin();
  const pgDump = bin ? path.join(bin, "pg_dump") : "pg_dump";
  const dump = spawnSync(pgDump, ["--no-owner", "--inserts", database.url], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  expect(dump.status, `pg_dump failed (install postgresql-15): ${dump.stderr}`).toBe(0);
  expect(dump.stdout).toContain('INSERT INTO public."Connection"');
  for (const token of tokens) expect(dump.stdout.includes(token), "a token was found in the dump").toBe(false);
});
