import "server-only";
// Agent actions per day, by agent and by provider, for the Audit page's usage chart: the tool and
// proxy calls agents made (audit actions `action.tool` and `action.proxy`, successful or not) over
// the last N days (UTC days, today included). A person sees the actions taken on their behalf; an
// administrator the whole tenant's. Counted in the database, so a busy tenant's log is never loaded.
import { getDb } from "@/lib/db";
import { Prisma } from "@/lib/generated/prisma/client";
import { listTenantProviders } from "@/lib/providers/registry";
import type { Person } from "@/lib/tenancy/people";

export const USAGE_ACTIONS = ["action.tool", "action.proxy"] as const;
export const DEFAULT_USAGE_DAYS = 14;
export const MAX_USAGE_DAYS = 90;
const DAY_MS = 86_400_000;

/** One agent's or provider's actions: `counts[i]` is the number on `days[i]`. */
export type UsageSeries = { key: string; label: string; total: number; counts: number[] };

export type Usage = {
  scope: "mine" | "tenant";
  /** UTC days, oldest first, `YYYY-MM-DD`. */
  days: string[];
  total: number;
  failures: number;
  /** Busiest first. */
  byAgent: UsageSeries[];
  byProvider: UsageSeries[];
};

type Row = { day: string; agentId: string | null; provider: string | null; failed: boolean; n: number };

export async function actionUsage(person: Person, opts: { days?: number; now?: Date } = {}): Promise<Usage> {
  const span = Math.min(Math.max(Math.trunc(opts.days ?? DEFAULT_USAGE_DAYS), 1), MAX_USAGE_DAYS);
  const today = Date.UTC(...utcDate(opts.now ?? new Date()));
  const days = Array.from({ length: span }, (_, i) => new Date(today - (span - 1 - i) * DAY_MS).toISOString().slice(0, 10));
  const from = new Date(today - (span - 1) * DAY_MS);
  const until = new Date(today + DAY_MS);
  const scope = person.role === "admin" ? "tenant" : "mine";
  // Actions carry the person they were done for as actorArn; a person sees only those.
  const mine = scope === "mine" ? Prisma.sql`AND e."actorArn" = ${person.arn}` : Prisma.empty;

  const db = await getDb();
  const rows = await db.$queryRaw<Row[]>(Prisma.sql`
    SELECT to_char(e."at", 'YYYY-MM-DD') AS "day", e."agentId" AS "agentId", e."details"->>'provider' AS "provider",
           e."outcome" <> 'success' AS "failed", COUNT(*)::int AS "n"
    FROM "AuditEvent" e
    WHERE e."tenantId" = ${person.tenantId} AND e."action" IN (${Prisma.join([...USAGE_ACTIONS])})
      AND e."at" >= ${naive(from)}::timestamp AND e."at" < ${naive(until)}::timestamp ${mine}
    GROUP BY 1, 2, 3, 4`);

  const index = new Map(days.map((d, i) => [d, i]));
  const byAgent = new Map<string, number[]>();
  const byProvider = new Map<string, number[]>();
  let total = 0;
  let failures = 0;
  for (const row of rows) {
    const i = index.get(row.day);
    if (i === undefined) continue;
    const n = Number(row.n);
    total += n;
    if (row.failed) failures += n;
    add(byAgent, row.agentId ?? "", i, n, span);
    add(byProvider, row.provider ?? "", i, n, span);
  }

  const agentIds = [...byAgent.keys()].filter(Boolean);
  const agents = agentIds.length
    ? await db.agent.findMany({ where: { tenantId: person.tenantId, id: { in: agentIds } }, select: { id: true, name: true } })
    : [];
  const agentNames = new Map(agents.map((a) => [a.id, a.name]));
  const providerNames = byProvider.size
    ? new Map((await listTenantProviders(person.tenantId)).map((p) => [p.definition.key, p.definition.name]))
    : new Map<string, string>();

  return {
    scope,
    days,
    total,
    failures,
    byAgent: series(byAgent, (id) => (id ? (agentNames.get(id) ?? `Removed agent ${id.slice(0, 8)}`) : "Unknown agent")),
    byProvider: series(byProvider, (key) => (key ? (providerNames.get(key) ?? key) : "Unknown provider")),
  };
}

/** `at` is a timestamp without time zone holding UTC: compare it with UTC wall-clock text, whatever the session's time zone. */
function naive(d: Date): string {
  return d.toISOString().slice(0, 23).replace("T", " ");
}

function utcDate(d: Date): [number, number, number] {
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

function add(map: Map<string, number[]>, key: string, i: number, n: number, span: number): void {
  let counts = map.get(key);
  if (!counts) map.set(key, (counts = new Array<number>(span).fill(0)));
  counts[i]! += n;
}

function series(map: Map<string, number[]>, label: (key: string) => string): UsageSeries[] {
  return [...map.entries()]
    .map(([key, counts]) => ({ key, label: label(key), total: counts.reduce((a, b) => a + b, 0), counts }))
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
}
