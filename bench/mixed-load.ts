// Load. `npm run bench:load` (bench/load-run.ts; options --agents --connections --duration --fresh
// --engine-interval --database-url) runs 200 virtual agents (50 registered agents, each virtual one
// with its own delegation) for 60 s on two vault instances (the app's route handlers in two Node
// processes, lib/testing/load-instance-main.ts) over one PostgreSQL database, on 50 Demo Tasks
// connections whose access tokens live 85 s (due for refresh 25 s after issue, so each connection is
// rotated about three times in the window, on calls and by the engines' sweeps). Run on 2026-12-04
// on the shared 2-core machine (load average 5.0 at start, bench/load-results.json): 74,445 requests
// (44,659 reads, 29,786 writes) in 60.1 s, 1,239 req/s, p50 129 ms, p99 635 ms, max 1,590 ms;
// 157 refreshes at the provider (100 on calls, 50 by a sweep; all 50 connections refreshed), 0
// double refreshes (300 refresh tokens presented over the run, each once), 0 refreshes refused, 0 stale access
// tokens refused, audit chain intact; but 3 errors, all on instance 1 (502 provider_unavailable, "The
// provider could not be reached": a request to Demo Tasks failed below HTTP). The instances now name
// such a failure on stderr (its code, and whether the socket was a reused keep-alive one).
//
// The load scenario itself, shared by `npm run bench:load` (bench/load-run.ts) and its short run in
// the test suite (lib/vault/load.postgres.test.ts):
// virtual agents on several portal instances, each in a closed
// loop over a mix of reads and writes through the agent routes of CONTRACT.md, with its own
// delegation token (RFC 8693, renewed when it runs low). Agent i acts on connection i % C, and the
// agents of one connection alternate between the instances, so every connection is used from each:
//   list    POST /api/v1/proxy {GET /tasks}                      read
//   list    POST /api/v1/tools/demo_tasks__list_tasks             read
//   create  POST /api/v1/tools/demo_tasks__create_task            write
//   list    POST /api/v1/proxy {GET /tasks}                      read
//   delete  POST /api/v1/proxy {DELETE /tasks/<the one created>}  write
// Every answer is checked (status, shape, a receipt); anything else is an error, with samples.
// Around the measured window: the provider's counters, each instance's refresh counter
// (GET /api/metrics), the audit's connection.refresh events by trigger and connection, and the
// connections' statuses afterwards. A watcher in front of the provider's token endpoint counts every
// refresh token presented, so a double refresh (one refresh token redeemed twice) is counted exactly.
import { createHash } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";

import type { DemoProvider } from "../e2e/demo-provider/server";
import { round, sendRequest, summarize } from "./load";
import type { LoadWorld, VirtualAgentGrant } from "./load-world";
import { DelegationToken, exchange } from "./setup";

const FORWARDED = "x-load-watcher";

type Op = "list_proxy" | "list_tool" | "create_tool" | "delete_proxy";
const CYCLE: readonly Op[] = ["list_proxy", "list_tool", "create_tool", "list_proxy", "delete_proxy"];
const WRITES: ReadonlySet<Op> = new Set(["create_tool", "delete_proxy"]);

export type Stats = { requests: number; errors: number; p50Ms: number; p95Ms: number; p99Ms: number; meanMs: number; maxMs: number };

export type LoadResult = Stats & {
  agents: number;
  instances: number;
  durationSeconds: number;
  rps: number;
  errorSamples: string[];
  reads: Stats;
  writes: Stats;
  byInstance: (Stats & { url: string })[];
  /** Delegation tokens exchanged during the window (renewals). */
  exchanges: number;
};

export type RefreshReport = {
  /** refresh_token grants the provider answered with new tokens during the window. */
  atProvider: number;
  /** Refresh requests the provider refused (any refused refresh is a lost or doubled one). */
  refusedAtProvider: number;
  /** Each instance's vault_refresh_total{outcome="success"} during the window. */
  byInstance: number[];
  failedByInstance: number[];
  /** connection.refresh audit events of the window, successful, by trigger (on_demand, engine, provider_rejected_token). */
  byTrigger: Record<string, number>;
  auditFailures: number;
  /** Connections refreshed at least once during the window, of all. */
  connectionsRefreshed: number;
  connections: number;
};

export type LoadReport = {
  load: LoadResult;
  refreshes: RefreshReport;
  /** Refresh tokens presented to the provider more than once, over the whole scenario. */
  doubleRefreshes: number;
  refreshTokensPresented: number;
  /** Access tokens the provider refused (401 at its tasks API) over the whole scenario: stale tokens the vault sent. */
  staleTokensRefused: number;
  staleSamples: string[];
  /** The tenant's connections by status once the window ended. */
  connectionStatus: Record<string, number>;
};

/**
 * Counts every refresh token presented at the provider's token endpoint: the provider's API hook
 * (test controls) takes each POST /token, notes a refresh_token grant's token, and forwards the
 * request unchanged to the provider, marked so the hook lets it through.
 */
export function watchRefreshTokens(provider: DemoProvider) {
  const presented = new Map<string, number>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const target = new URL(provider.issuer);
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const form = new URLSearchParams(body.toString("utf8"));
    const token = form.get("grant_type") === "refresh_token" ? form.get("refresh_token") : null;
    if (token) {
      const key = createHash("sha256").update(token).digest("hex");
      presented.set(key, (presented.get(key) ?? 0) + 1);
    }
    const up = http.request(
      { host: target.hostname, port: target.port, path: req.url, method: "POST", agent, headers: { ...req.headers, [FORWARDED]: "1" } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    up.end(body);
  };
  let refused = 0;
  const refusals: string[] = [];
  provider.interceptApi((req, res) => {
    const pathname = new URL(req.url ?? "/", provider.issuer).pathname;
    if (pathname === "/tasks" || pathname.startsWith("/tasks/")) {
      // A tasks-API call the provider refuses with 401: the vault sent an expired or dead access token.
      res.once("finish", () => {
        if (res.statusCode !== 401) return;
        refused += 1;
        if (refusals.length < 5) refusals.push(`${req.method} ${pathname} at ${new Date().toISOString()}`);
      });
      return false;
    }
    if (req.method !== "POST" || req.headers[FORWARDED] || pathname !== "/token") return false;
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => forward(req, res, Buffer.concat(chunks)));
    return true;
  });
  return {
    presented: () => [...presented.values()].reduce((a, b) => a + b, 0),
    doubles: () => [...presented.values()].filter((n) => n > 1).length,
    /** Tasks-API calls the provider answered 401 (a stale access token), and a few of them. */
    staleRefused: () => refused,
    staleSamples: () => [...refusals],
    close: () => (provider.interceptApi(null), agent.destroy()),
  };
}
export type RefreshTokenWatcher = ReturnType<typeof watchRefreshTokens>;

type Answer = { status: number; body: string };

function post(agent: http.Agent, url: URL, token: string, payload: unknown): Promise<Answer> {
  return sendRequest(agent, url, "POST", { authorization: `Bearer ${token}` }, JSON.stringify(payload));
}

/** A successful answer's JSON: HTTP 200 with a receipt (a compact JWS); null for anything else. */
function answered(a: Answer): any {
  if (a.status !== 200) return null;
  const j = JSON.parse(a.body) as { receipt?: unknown };
  return typeof j.receipt === "string" && j.receipt.split(".").length === 3 ? j : null;
}

/** What one operation sends, and whether its answer is a success. */
function operation(op: Op, pending: string | undefined, portal: string, n: number): { url: URL; payload: unknown; ok: (j: any) => boolean } {
  const proxy = new URL("/api/v1/proxy", portal);
  const tool = (name: string) => new URL(`/api/v1/tools/${name}`, portal);
  switch (op) {
    case "list_proxy":
      return { url: proxy, payload: { method: "GET", path: "/tasks" }, ok: (j) => j.status === 200 && Array.isArray(j.data?.tasks) };
    case "list_tool":
      return { url: tool("demo_tasks__list_tasks"), payload: { input: {} }, ok: (j) => Array.isArray(j.output?.tasks) };
    case "create_tool":
      return { url: tool("demo_tasks__create_task"), payload: { input: { title: `Load task ${n}` } }, ok: (j) => typeof j.output?.task?.id === "string" };
    case "delete_proxy":
      return { url: proxy, payload: { method: "DELETE", path: `/tasks/${encodeURIComponent(pending!)}` }, ok: (j) => j.status === 204 };
  }
}

/** The virtual agents' closed loops for `seconds`; `record` false for a warm-up. */
async function loops(
  portals: string[],
  agents: { grant: VirtualAgentGrant; at: number; token: DelegationToken; pending?: string; step: number }[],
  seconds: number,
  record: boolean,
) {
  const sockets = portals.map(() => new http.Agent({ keepAlive: true, maxSockets: agents.length, maxFreeSockets: agents.length }));
  const samples = { read: [] as number[], write: [] as number[], byInstance: portals.map(() => [] as number[]) };
  const errors = { read: 0, write: 0, byInstance: portals.map(() => 0) };
  const errorSamples: string[] = [];
  const deadline = performance.now() + seconds * 1000;
  const since = () => `${(seconds - (deadline - performance.now()) / 1000).toFixed(1)} s`;
  let n = 0;
  const run = async (a: (typeof agents)[number]) => {
    const at = a.at;
    while (performance.now() < deadline) {
      let op = CYCLE[a.step % CYCLE.length]!;
      a.step += 1;
      if (op === "delete_proxy" && !a.pending) op = "list_proxy";
      const kind = WRITES.has(op) ? "write" : "read";
      const { url, payload, ok } = operation(op, a.pending, portals[at]!, ++n);
      let failure: string | null = null;
      const token = await a.token.get();
      const t0 = performance.now();
      try {
        const answer = await post(sockets[at]!, url, token, payload);
        const elapsed = performance.now() - t0;
        let j: any = null;
        try {
          j = answered(answer);
        } catch {
          // An unreadable body is a failure like any other.
        }
        if (!j || !ok(j)) failure = `${op} on instance ${at} at ${since()}: HTTP ${answer.status} ${answer.body.slice(0, 240)}`;
        else {
          if (op === "create_tool") a.pending = j.output.task.id as string;
          if (op === "delete_proxy") a.pending = undefined;
          if (record) {
            samples[kind].push(elapsed);
            samples.byInstance[at]!.push(elapsed);
          }
        }
      } catch (e) {
        failure = `${op} on instance ${at} at ${since()}: ${(e as Error).message}`;
      }
      if (failure && record) {
        errors[kind] += 1;
        errors.byInstance[at]! += 1;
        if (errorSamples.length < 10) errorSamples.push(failure);
      }
    }
  };
  const started = performance.now();
  try {
    await Promise.all(agents.map(run));
  } finally {
    for (const s of sockets) s.destroy();
  }
  return { samples, errors, errorSamples, elapsedSeconds: (performance.now() - started) / 1000 };
}

/** Agent i's instance: the k-th agent on connection j (i = k * C + j) is on instance (j + k) % n. */
export const instanceOf = (i: number, connections: number, instances: number) => ((i % connections) + Math.floor(i / connections)) % instances;

const stats = (latencies: number[], errors: number): Stats => ({ requests: latencies.length, errors, ...summarize(latencies) });

async function instanceRefreshes(url: string, metricsToken: string): Promise<{ success: number; failure: number }> {
  const res = await fetch(new URL("/api/metrics", url), { headers: { authorization: `Bearer ${metricsToken}` }, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET /api/metrics on ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  const value = (outcome: string) => Number(new RegExp(`^vault_refresh_total\\{outcome="${outcome}"\\} ([0-9.e+-]+)$`, "m").exec(text)?.[1] ?? 0);
  return { success: value("success"), failure: value("failure") };
}

async function refreshAudit(tenantId: string, from: Date, to: Date) {
  const { getDb } = await import("@/lib/db");
  const db = await getDb();
  const rows = await db.auditEvent.findMany({
    where: { tenantId, action: "connection.refresh", at: { gte: from, lte: to } },
    select: { outcome: true, target: true, details: true },
  });
  const byTrigger: Record<string, number> = {};
  const refreshed = new Set<string>();
  let failures = 0;
  for (const r of rows) {
    if (r.outcome !== "success") {
      failures += 1;
      continue;
    }
    const trigger = String((r.details as { trigger?: unknown }).trigger ?? "unknown");
    byTrigger[trigger] = (byTrigger[trigger] ?? 0) + 1;
    if (r.target) refreshed.add(r.target);
  }
  const statuses = await db.connection.groupBy({ by: ["status"], where: { tenantId }, _count: { _all: true } });
  return { byTrigger, failures, refreshed: refreshed.size, status: Object.fromEntries(statuses.map((s) => [s.status, s._count._all])) };
}

/**
 * Exchanges every virtual agent's first delegation token, warms up, then measures `seconds` of the
 * mixed load on `portals` with the refresh figures around the window.
 */
export async function runLoadScenario(o: {
  world: LoadWorld;
  portals: string[];
  provider: DemoProvider;
  watcher: RefreshTokenWatcher;
  metricsToken: string;
  seconds: number;
  warmupSeconds: number;
  say?: (s: string) => void;
}): Promise<LoadReport> {
  const say = o.say ?? (() => undefined);
  const c = o.world.connections.length;
  const agents = o.world.grants.map((grant) => ({
    grant,
    at: instanceOf(grant.index, c, o.portals.length),
    token: new DelegationToken(() => exchange(o.portals[instanceOf(grant.index, c, o.portals.length)]!, { id: "", ...grant }, grant.delegationId)),
    // Spread over the cycle, so reads and writes mix from the first second.
    step: Math.floor(Math.random() * CYCLE.length),
    pending: undefined as string | undefined,
  }));
  for (let i = 0; i < agents.length; i += 8) await Promise.all(agents.slice(i, i + 8).map((a) => a.token.get()));
  say(`${agents.length} delegation tokens exchanged; warm-up ${o.warmupSeconds} s`);
  if (o.warmupSeconds > 0) await loops(o.portals, agents, o.warmupSeconds, false);

  const exchangesBefore = agents.reduce((n, a) => n + a.token.exchanges, 0);
  const providerBefore = o.provider.stats();
  const metricsBefore = await Promise.all(o.portals.map((p) => instanceRefreshes(p, o.metricsToken)));
  const from = new Date();
  say(`measuring: ${agents.length} virtual agents for ${o.seconds} s on ${o.portals.length} instances`);
  const run = await loops(o.portals, agents, o.seconds, true);
  const to = new Date();
  const providerAfter = o.provider.stats();
  const metricsAfter = await Promise.all(o.portals.map((p) => instanceRefreshes(p, o.metricsToken)));
  // Outcomes of the window's last calls may still be in an audit batch: give the writers a moment.
  await new Promise((r) => setTimeout(r, 500));
  const audit = await refreshAudit(o.world.tenantId, from, to);

  const all = [...run.samples.read, ...run.samples.write];
  const errors = run.errors.read + run.errors.write;
  const load: LoadResult = {
    agents: agents.length,
    instances: o.portals.length,
    durationSeconds: round(run.elapsedSeconds, 3),
    ...stats(all, errors),
    rps: round(all.length / run.elapsedSeconds, 1),
    errorSamples: run.errorSamples,
    reads: stats(run.samples.read, run.errors.read),
    writes: stats(run.samples.write, run.errors.write),
    byInstance: o.portals.map((url, i) => ({ url, ...stats(run.samples.byInstance[i]!, run.errors.byInstance[i]!) })),
    exchanges: agents.reduce((n, a) => n + a.token.exchanges, 0) - exchangesBefore,
  };
  const refreshGrants = providerAfter.refreshGrants - providerBefore.refreshGrants;
  const tokenRequests = providerAfter.tokenRequests - providerBefore.tokenRequests;
  const codeGrants = providerAfter.authorizationCodeGrants - providerBefore.authorizationCodeGrants;
  return {
    load,
    refreshes: {
      atProvider: refreshGrants,
      refusedAtProvider: tokenRequests - codeGrants - refreshGrants,
      byInstance: metricsAfter.map((m, i) => m.success - metricsBefore[i]!.success),
      failedByInstance: metricsAfter.map((m, i) => m.failure - metricsBefore[i]!.failure),
      byTrigger: audit.byTrigger,
      auditFailures: audit.failures,
      connectionsRefreshed: audit.refreshed,
      connections: o.world.connections.length,
    },
    doubleRefreshes: o.watcher.doubles(),
    refreshTokensPresented: o.watcher.presented(),
    staleTokensRefused: o.watcher.staleRefused(),
    staleSamples: o.watcher.staleSamples(),
    connectionStatus: audit.status,
  };
}
