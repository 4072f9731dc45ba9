// The metric series the vault's own code feeds as things happen (request latency, PDP decisions,
// token exchanges, refreshes, audit batch sizes), created once per process and registered into the
// /api/metrics registry by lib/monitor/metrics.ts. Kept apart from that module so the audit writer
// and the route wrappers can feed them without importing the registry (no cycle) and with nothing
// but prom-client. Labels are fixed vocabularies: an outcome, a status class, a route family from
// ROUTE_FAMILIES (anything else is "other"), so no person, token, id or request content can become a
// label value, however a path or a caller misbehaves.
import { Counter, Histogram } from "prom-client";

/** The path segments /api/v1/<family> that name a route family; any other path is "other". */
export const ROUTE_FAMILIES: ReadonlySet<string> = new Set([
  "agents",
  "alerts",
  "approvals",
  "audit",
  "connections",
  "delegation",
  "delegations",
  "event-schemas",
  "mcp-clients",
  "policies",
  "providers",
  "proxy",
  "status",
  "tenant",
  "tools",
  "webhooks",
]);
const TOP_LEVEL: ReadonlySet<string> = new Set(["/api/oauth/token", "/api/mcp", "/api/metrics", "/api/health"]);

/** The route label of a request path: `/api/v1/<family>` for a known family, a few fixed paths, else "other". */
export function routeFamily(pathname: string): string {
  if (TOP_LEVEL.has(pathname)) return pathname;
  const m = /^\/api\/v1\/([a-z-]+)(?:\/|$)/.exec(pathname);
  return m && ROUTE_FAMILIES.has(m[1]!) ? `/api/v1/${m[1]}` : "other";
}

type Series = {
  requestDuration: Histogram<"surface" | "route" | "method" | "status">;
  decisions: Counter<"outcome">;
  exchanges: Counter<"outcome">;
  refreshes: Counter<"outcome">;
  auditBatchSize: Histogram;
};

const holder = globalThis as unknown as { __vaultSeries?: Series };

export function series(): Series {
  return (holder.__vaultSeries ??= {
    requestDuration: new Histogram({
      name: "vault_http_request_duration_seconds",
      help: "Time to answer a request, by surface (portal, agent, token), route family, method and status class.",
      labelNames: ["surface", "route", "method", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [],
    }),
    decisions: new Counter({
      name: "vault_pdp_decisions_total",
      help: "Policy decisions recorded, by outcome (allow, deny).",
      labelNames: ["outcome"],
      registers: [],
    }),
    exchanges: new Counter({
      name: "vault_token_exchanges_total",
      help: "Token exchanges (RFC 8693) recorded, by outcome.",
      labelNames: ["outcome"],
      registers: [],
    }),
    refreshes: new Counter({
      name: "vault_refresh_total",
      help: "Provider token refreshes recorded, by outcome (success, failure).",
      labelNames: ["outcome"],
      registers: [],
    }),
    auditBatchSize: new Histogram({
      name: "vault_audit_batch_size",
      help: "Events per batch the group-commit audit writer wrote.",
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [],
    }),
  });
}

const OUTCOMES: ReadonlySet<string> = new Set(["success", "failure", "allow", "deny"]);

/** Counts an audit event of the actions the metrics follow; every other action is ignored. */
export function countAudited(action: string, outcome: string): void {
  const o = OUTCOMES.has(outcome) ? outcome : "failure";
  if (action === "pdp.decision") series().decisions.inc({ outcome: o });
  else if (action === "token.exchange") series().exchanges.inc({ outcome: o });
  else if (action === "connection.refresh") series().refreshes.inc({ outcome: o });
}

/** Observes one answered request. */
export function observeRequest(surface: "portal" | "agent" | "token", req: Request, status: number, startedAt: number): void {
  const method = ["GET", "POST", "PUT", "PATCH", "DELETE"].includes(req.method.toUpperCase()) ? req.method.toUpperCase() : "OTHER";
  series().requestDuration.observe(
    { surface, route: routeFamily(new URL(req.url).pathname), method, status: `${Math.floor(status / 100)}xx` },
    (performance.now() - startedAt) / 1000,
  );
}
