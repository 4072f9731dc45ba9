// The load scenario of `npm run bench:load` (bench/load-run.ts, bench/mixed-load.ts), short: two
// portal instances on one PostgreSQL database (child processes serving the agent routes,
// lib/testing/load-instance-main.ts, each with its refresh engine sweeping every few seconds), 20
// agents in closed loops mixing reads and writes through the proxy and the tool routes for 10 s, on
// connections whose access tokens expire within the run: they live REFRESH_SKEW_MS + 4 s, so each is
// due for refresh 4 s after it was issued and is rotated several times while the agents act.
// Every answer must be a success, every connection must be refreshed during the run, no refresh
// token may reach the provider twice (the provider rotates them: a second use revokes the grant)
// and the provider never refuses an access token the vault sent (no stale token).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { runLoadScenario, watchRefreshTokens } from "@/bench/mixed-load";
import { seedLoadWorld, startLoadProvider } from "@/bench/load-world";
import { PORTAL_ORIGIN, PORTAL_PORT } from "@/lib/testing/connect-harness";
import { createPostgresDatabase } from "@/lib/testing/db";
import { startInstance } from "@/lib/testing/instances";
import { freePort } from "@/lib/testing/postgres";

const AGENTS = 20;
const CONNECTIONS = 10;
const SECONDS = 10;
/** Seconds a token is fresh before the vault refreshes it (on a call or in a sweep). */
const FRESH_SECONDS = 4;

const database = await createPostgresDatabase();
const dataDir = mkdtempSync(path.join(tmpdir(), "vault-load-"));
const { provider, metricsToken } = await startLoadProvider({
  dataDir,
  portalPort: PORTAL_PORT,
  origin: PORTAL_ORIGIN,
  providerPort: await freePort(),
  databaseUrl: database.url,
  freshSeconds: FRESH_SECONDS,
  logLevel: "silent",
});
const watcher = watchRefreshTokens(provider);
const world = await seedLoadWorld({ providerIssuer: provider.issuer, connections: CONNECTIONS, agents: AGENTS });
const instances = await Promise.all([0, 1].map(() => startInstance({ LOAD_REFRESH_ENGINE_MS: "4000" }, "load-instance-main.ts")));
const { closeDb } = await import("@/lib/db");

afterAll(async () => {
  await Promise.all(instances.map((i) => i.kill()));
  watcher.close();
  await provider.close();
  await closeDb();
  await database.drop();
});

describe("two instances under mixed load while tokens expire", () => {
  it(
    `${AGENTS} agents for ${SECONDS} s on ${CONNECTIONS} connections: no error, every connection refreshed, no refresh token used twice, no stale token`,
    { timeout: 90_000 },
    async () => {
      const report = await runLoadScenario({
        world,
        portals: instances.map((i) => i.url),
        provider,
        watcher,
        metricsToken,
        seconds: SECONDS,
        warmupSeconds: 1,
      });
      const { load, refreshes } = report;
      console.log(
        `load: ${load.requests} requests (${load.reads.requests} reads, ${load.writes.requests} writes), ${load.errors} errors, ` +
          `p50 ${load.p50Ms} ms, p99 ${load.p99Ms} ms, ${load.rps} rps; refreshes ${refreshes.atProvider} at the provider ` +
          `(${refreshes.byInstance.join(" + ")} by instance, ${JSON.stringify(refreshes.byTrigger)}), ${report.doubleRefreshes} double, ` +
          `${report.staleTokensRefused} stale tokens refused`,
      );
      expect(load.errorSamples, "every answer is a success").toEqual([]);
      expect(load.errors).toBe(0);
      expect(load.reads.requests).toBeGreaterThan(0);
      expect(load.writes.requests).toBeGreaterThan(0);
      expect(Math.min(...load.byInstance.map((i) => i.requests)), "both instances served").toBeGreaterThan(0);

      expect(report.doubleRefreshes, "no refresh token reached the provider twice").toBe(0);
      expect(refreshes.refusedAtProvider, "the provider refused no refresh").toBe(0);
      expect(report.staleSamples, "the provider refused no access token the vault sent").toEqual([]);
      expect(report.staleTokensRefused).toBe(0);
      expect(refreshes.byTrigger.provider_rejected_token ?? 0).toBe(0);
      expect(refreshes.auditFailures + refreshes.failedByInstance.reduce((a, b) => a + b, 0)).toBe(0);
      expect(refreshes.atProvider).toBeGreaterThan(0);
      expect(refreshes.connectionsRefreshed, "every connection was refreshed during the run").toBe(CONNECTIONS);
      expect(Math.min(...refreshes.byInstance), "both instances refreshed").toBeGreaterThan(0);
      // Usable: active, or being refreshed by a sweep right now; never degraded or needing its owner.
      const unusable = Object.entries(report.connectionStatus).filter(([status]) => status !== "active" && status !== "refreshing");
      expect(unusable, "every connection is still usable").toEqual([]);
    },
  );
});
