// Vitest globalSetup: finds or starts a PostgreSQL once per run and hands test files its URL through
// provide/inject. Tests create their own databases named with this run's prefix; teardown drops them
// all (the server may outlive the run) and stops a throwaway cluster.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";

import {
  answers,
  type Cluster,
  createDatabase,
  dropDatabases,
  findPostgresBin,
  missingPostgresSentence,
  startThrowawayCluster,
  type TestPostgres,
} from "./postgres";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const prefix = `vault_test_${randomBytes(5).toString("hex")}`;
  const tried: string[] = [];
  let adminUrl: string | null = null;
  let source: Extract<TestPostgres, { ok: true }>["source"] = "TEST_DATABASE_URL";
  let cluster: Cluster | null = null;
  let error: string | null = null;

  const explicit = process.env.TEST_DATABASE_URL?.trim();
  if (explicit) {
    // An explicit URL that fails is an error, not a reason to quietly test against something else.
    const problem = await answers(explicit);
    if (problem) error = `TEST_DATABASE_URL is set but PostgreSQL there does not answer (${problem}): fix the URL or unset it.`;
    else adminUrl = explicit;
  } else {
    if (process.env.TEST_PG_FORCE_THROWAWAY !== "1") {
      const local = "postgresql://postgres@127.0.0.1:5432/postgres";
      const problem = await answers(local);
      if (!problem) {
        adminUrl = local;
        source = "127.0.0.1:5432";
      } else tried.push(`TEST_DATABASE_URL is not set, 127.0.0.1:5432 did not answer as user postgres (${problem})`);
    }
    if (!adminUrl) {
      const bin = findPostgresBin();
      if (!bin) tried.push("no PostgreSQL binaries in /usr/lib/postgresql/*/bin for a throwaway cluster");
      else {
        try {
          cluster = await startThrowawayCluster(bin);
          adminUrl = cluster.url;
          source = "throwaway cluster";
        } catch (e) {
          tried.push(`a throwaway cluster from ${bin} failed to start: ${(e as Error).message}`);
        }
      }
    }
    if (!adminUrl) error = missingPostgresSentence(tried);
  }

  if (adminUrl) {
    // The run's own database: tests connect to it to create theirs, so they need no rights on `postgres`.
    try {
      const url = await createDatabase(adminUrl, prefix);
      project.provide("vaultTestPostgres", { ok: true, url, source, prefix });
    } catch (e) {
      error = `PostgreSQL at ${source} answered but refused CREATE DATABASE (${(e as Error).message}): use a user with CREATEDB rights.`;
    }
  }
  if (error) project.provide("vaultTestPostgres", { ok: false, error });

  // Safety net if the runner exits without calling teardown: never leave a server behind.
  const onExit = () => cluster?.stop();
  process.once("exit", onExit);

  return async () => {
    process.off("exit", onExit);
    try {
      if (adminUrl) await dropDatabases(adminUrl, prefix);
    } finally {
      cluster?.stop();
    }
  };
}
