// What one bench run found, and how it is printed: a table per database (the vault beside the
// framework floor and the bare proxy, with statements and CPU per call), the two-instance ratio,
// and every target of the hot path, met or missed, with the figures that decided it.
import type { CellResult } from "./load";
import type { Stats } from "./micro";
import { fixed, ms, percent, table, targetLines, type TargetCheck } from "./report";
import type { ExchangeStats } from "./token-exchange";

export type Scenario = "pglite" | "postgres";
export type Cell = CellResult & {
  scenario: Scenario;
  instances: number;
  mode: "direct" | "bare" | "floor" | "vault";
  /** Per successful call, from the portals' own metrics; null for modes that bypass the portal. */
  statementsPerCall: number | null;
  auditStatementsPerCall: number | null;
  eventsPerBatch: number | null;
  cpuMsPerCall: number | null;
};

type AuditCheck = { tenants: number; rows: number; broken: string[] };

export type Results = {
  date: string;
  machine: { cpus: number; model: string; memoryGiB: number; node: string; os: string; loadAverageAtStart: number };
  setup: Record<string, unknown>;
  cells: Cell[];
  pglite: { exchangeHttp: Stats; audit: AuditCheck; delegationExchanges: number } | { skipped: string };
  postgres: { audit: AuditCheck; database: string } | { skipped: string };
  exchangeInProcess: ExchangeStats[];
  decrypt: { runs: number; medianUs: number; p95Us: number };
  buildSeconds: number;
  totalSeconds: number;
};

const find = (cells: Cell[], scenario: Scenario, mode: Cell["mode"], c: number, instances = 1) =>
  cells.find((x) => x.scenario === scenario && x.mode === mode && x.concurrency === c && x.instances === instances);
const cellText = (c: Cell | undefined) => (c ? `${ms(c.p50Ms)} / ${ms(c.p99Ms)}, ${c.rps.toFixed(0)}` : "-");

function rows(cells: Cell[], scenario: Scenario, withBaselines: boolean): string[][] {
  const keys = [...new Set(cells.filter((c) => c.scenario === scenario && c.mode === "vault").map((c) => `${c.instances}:${c.concurrency}`))];
  return keys.map((k) => {
    const [instances, c] = k.split(":").map(Number) as [number, number];
    const v = find(cells, scenario, "vault", c, instances);
    const f = find(cells, scenario, "floor", c, instances);
    const own = v && v.statementsPerCall !== null && v.auditStatementsPerCall !== null ? v.statementsPerCall - v.auditStatementsPerCall : null;
    return [
      String(c),
      instances === 1 ? "1" : `${instances}`,
      ...(withBaselines ? [cellText(find(cells, scenario, "direct", c)), cellText(find(cells, scenario, "bare", c))] : []),
      cellText(f),
      cellText(v),
      percent(v && f ? v.rps / f.rps : null),
      ...(withBaselines ? [percent(v && find(cells, scenario, "bare", c) ? v.rps / find(cells, scenario, "bare", c)!.rps : null)] : []),
      v && f ? `+${ms(v.p50Ms - f.p50Ms)}` : "-",
      v && f ? `${fixed(v.p99Ms / f.p99Ms)}x` : "-",
      fixed(own),
      fixed(v?.auditStatementsPerCall ?? null),
      fixed(v?.eventsPerBatch ?? null, 1),
      f && v ? `${fixed(f.cpuMsPerCall)} / ${fixed(v.cpuMsPerCall)}` : "-",
    ];
  });
}

function header(withBaselines: boolean): string[] {
  return [
    "agents",
    "portals",
    ...(withBaselines ? ["direct p50/p99 ms, req/s", "bare proxy"] : []),
    "floor",
    "vault",
    "vault ÷ floor req/s",
    ...(withBaselines ? ["vault ÷ bare req/s"] : []),
    "vault p50 − floor p50",
    "vault p99 ÷ floor p99",
    "own stmt/call",
    "audit stmt/call",
    "events/batch",
    "CPU ms/call floor / vault",
  ];
}

export function checks(r: Results): TargetCheck[] {
  const out: TargetCheck[] = [];
  const scenarios: Scenario[] = [...("audit" in r.pglite ? (["pglite"] as const) : []), ...("audit" in r.postgres ? (["postgres"] as const) : [])];
  for (const s of scenarios) {
    const v32 = find(r.cells, s, "vault", 32);
    const f32 = find(r.cells, s, "floor", 32);
    if (v32 && f32) {
      out.push({
        target: `${s}, 32 agents: vault req/s >= 70 % of the floor's`,
        measured: `${v32.rps.toFixed(0)} / ${f32.rps.toFixed(0)} = ${percent(v32.rps / f32.rps)}`,
        met: v32.rps >= 0.7 * f32.rps,
      });
      out.push({
        target: `${s}, 32 agents: vault p99 <= 1.5 x floor p99`,
        measured: `${ms(v32.p99Ms)} ms vs ${ms(f32.p99Ms)} ms = ${fixed(v32.p99Ms / f32.p99Ms)}x`,
        met: v32.p99Ms <= 1.5 * f32.p99Ms,
      });
      if (v32.auditStatementsPerCall !== null)
        out.push({
          target: `${s}, 32 agents: audit statements per call <= 0.5`,
          measured: fixed(v32.auditStatementsPerCall),
          met: v32.auditStatementsPerCall <= 0.5,
        });
    }
    const v1 = find(r.cells, s, "vault", 1);
    const f1 = find(r.cells, s, "floor", 1);
    if (v1 && f1)
      out.push({
        target: `${s}, 1 agent: vault p50 <= floor p50 + 2 ms`,
        measured: `${ms(v1.p50Ms)} ms vs ${ms(f1.p50Ms)} ms (+${ms(v1.p50Ms - f1.p50Ms)})`,
        met: v1.p50Ms <= f1.p50Ms + 2,
      });
    if (v1 && v1.statementsPerCall !== null && v1.auditStatementsPerCall !== null) {
      const own = v1.statementsPerCall - v1.auditStatementsPerCall;
      out.push({ target: `${s}, a warm call: <= 4 SQL statements on its own path`, measured: fixed(own), met: own <= 4 });
    }
  }
  if ("audit" in r.postgres) {
    const one = r.cells.filter((c) => c.scenario === "postgres" && c.mode === "vault" && c.instances === 1).sort((a, b) => b.concurrency - a.concurrency)[0];
    const two = r.cells.find((c) => c.scenario === "postgres" && c.mode === "vault" && c.instances === 2 && c.concurrency === one?.concurrency);
    if (one && two)
      out.push({
        target: `postgres, one tenant, ${one.concurrency} agents: two portals >= 1.6 x one portal's req/s`,
        measured: `${two.rps.toFixed(0)} / ${one.rps.toFixed(0)} = ${fixed(two.rps / one.rps)}x`,
        met: two.rps >= 1.6 * one.rps,
      });
  }
  for (const e of r.exchangeInProcess)
    out.push({ target: `token exchange in process, ${e.method}: median <= 3 ms`, measured: `${fixed(e.medianMs)} ms`, met: e.medianMs <= 3 });
  const errors = r.cells.reduce((n, c) => n + c.errors, 0);
  out.push({ target: "0 errors in every cell", measured: `${errors} errors`, met: errors === 0 });
  const audits = [
    ...("audit" in r.pglite ? [["PGlite", r.pglite.audit] as const] : []),
    ...("audit" in r.postgres ? [["PostgreSQL", r.postgres.audit] as const] : []),
  ];
  for (const [name, audit] of audits) {
    out.push({
      target: `audit chain intact after the ${name} cells`,
      measured: audit.broken.length ? audit.broken.join("; ") : `${audit.rows} rows verified`,
      met: audit.broken.length === 0,
    });
  }
  return out;
}

/** Prints everything; true when the run is sound (no errors, every audit chain intact). */
export function printResults(r: Results): boolean {
  const m = r.machine;
  console.log(`\nToken Vault bench, ${r.date}`);
  console.log(`${m.cpus} x ${m.model}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}`);
  if (m.loadAverageAtStart > m.cpus / 2)
    console.log(`Note: the machine was busy when the bench started (load average ${m.loadAverageAtStart} on ${m.cpus} CPUs); the figures are noisy.`);
  console.log(
    `GET /tasks on Demo Tasks; closed loop, ${r.setup.warmupSeconds} s warm-up + ${r.setup.durationSeconds} s per cell. Cells: p50 / p99 ms, req/s.\n`,
  );
  if ("audit" in r.pglite) {
    console.log("Embedded PGlite");
    console.log(table(header(true), rows(r.cells, "pglite", true)));
  } else {
    console.log(`Embedded PGlite: skipped (${r.pglite.skipped})`);
  }
  if ("audit" in r.postgres) {
    console.log(`\n${r.postgres.database}`);
    console.log(table(header(false), rows(r.cells, "postgres", false)));
  } else {
    console.log(`\nPostgreSQL: skipped (${r.postgres.skipped})`);
  }
  if ("exchangeHttp" in r.pglite) {
    const ex = r.pglite.exchangeHttp;
    console.log(`\ntoken exchange over HTTP (client_secret_post, ${ex.runs} calls): median ${ms(ex.medianMs)} ms, p95 ${ms(ex.p95Ms)} ms`);
  }
  console.log(`token exchange in process: ${r.exchangeInProcess.map((e) => `${e.method} median ${fixed(e.medianMs)} ms (p95 ${fixed(e.p95Ms)})`).join("; ")}`);
  console.log(
    `decrypt of a stored token set (in process, ${r.decrypt.runs} calls): median ${r.decrypt.medianUs.toFixed(1)} µs, p95 ${r.decrypt.p95Us.toFixed(1)} µs`,
  );
  const list = checks(r);
  console.log(`\nTargets\n${targetLines(list)}`);
  const errors = r.cells.filter((c) => c.errors > 0);
  if (errors.length) {
    console.error(`\nrequests failed; samples:`);
    for (const c of errors) console.error(`  ${c.scenario} ${c.instances}x ${c.mode} c=${c.concurrency}: ${c.errorSamples.join(" | ")}`);
  }
  return errors.length === 0 && list.filter((c) => c.target.startsWith("audit chain")).every((c) => c.met);
}
