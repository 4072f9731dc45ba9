import "server-only";
// Prometheus metrics of this portal process (GET /api/metrics): the process itself (CPU, memory,
// event-loop lag), the statements it sends to the database, the audit writer's batches (and their
// sizes), request latency, PDP decisions, token exchanges and refreshes by outcome
// (lib/monitor/series.ts), and webhook deliveries by outcome. Counts and durations only, labelled
// from fixed vocabularies: nothing here can carry a token, a person or a request's content. Reading
// them sends no statement, so the bench can read them around a measurement without disturbing it.
import { timingSafeEqual } from "node:crypto";

import { collectDefaultMetrics, Counter, Gauge, type Metric, Registry } from "prom-client";

import { auditWriterStats } from "@/lib/audit/writer";
import { sqlStatementCount } from "@/lib/db";
import { env } from "@/lib/env";
import { webhookDeliveryStats } from "@/lib/webhooks/worker";

import { series } from "./series";

function build(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "vault_" });
  const fromStats = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  fromStats("vault_sql_statements_total", "Statements this process sent to the database (BEGIN and COMMIT included).", sqlStatementCount);
  fromStats("vault_audit_batches_total", "Audit batches written by the group-commit writer.", () => auditWriterStats().batches);
  fromStats("vault_audit_events_total", "Audit events written by the group-commit writer.", () => auditWriterStats().events);
  fromStats(
    "vault_audit_statements_total",
    "Statements the group-commit writer sent (writes, head reads, BEGIN/COMMIT of locked batches).",
    () => auditWriterStats().statements,
  );
  fromStats("vault_audit_lost_races_total", "Batches written again because another writer moved the chain's head first.", () => auditWriterStats().lostRaces);
  fromStats(
    "vault_audit_stale_decisions_total",
    "Decisions handed back unwritten because the tenant's policy changed after their facts were read.",
    () => auditWriterStats().stale,
  );
  fromStats(
    "vault_audit_failed_batches_total",
    "Audit batches that could not be written (every caller in them was refused).",
    () => auditWriterStats().failedBatches,
  );
  new Gauge({
    name: "vault_audit_events_per_batch",
    help: "Average audit events per batch since start.",
    registers: [registry],
    collect() {
      const s = auditWriterStats();
      this.set(s.batches > 0 ? s.events / s.batches : 0);
    },
  });
  const s = series();
  for (const m of [s.requestDuration, s.decisions, s.exchanges, s.refreshes, s.auditBatchSize] as Metric[]) registry.registerMetric(m);
  new Counter({
    name: "vault_webhook_deliveries_total",
    help: "Webhook delivery attempts, by outcome: success (2xx), retry (failed, tried again later), failed (given up).",
    labelNames: ["outcome"],
    registers: [registry],
    collect() {
      this.reset();
      const stats = webhookDeliveryStats();
      for (const outcome of ["success", "retry", "failed"] as const) this.inc({ outcome }, stats[outcome]);
    },
  });
  fromStats("vault_webhook_events_queued_total", "Events written to the webhook outbox, one per subscribed webhook.", () => webhookDeliveryStats().queued);
  return registry;
}

const g = globalThis as unknown as { __vaultMetrics?: Registry };

export function metricsRegistry(): Registry {
  return (g.__vaultMetrics ??= build());
}

/** Whether the request carries the metrics bearer token; null when metrics are not configured. */
export function metricsAuthorized(req: Request): boolean | null {
  const expected = env().metricsToken;
  if (!expected) return null;
  const given = /^Bearer[ ]+(\S+)$/i.exec(req.headers.get("authorization")?.trim() ?? "")?.[1] ?? "";
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
