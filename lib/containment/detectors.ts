import "server-only";
// The detectors, evaluated as events happen: the token endpoint, the policy decision point, the
// action pipeline, grants, connections and refreshes call these hooks with what just happened.
// Counting is in memory per instance (sliding windows per agent), and the usage baseline is this
// process's copy of the UsageBaseline rows, so an ordinary warm call costs no statement here; the
// database is touched only when something is new (a first use, which is added to the baseline) or
// fires (lib/containment/raise.ts). Hooks never throw: a detector's failure is logged and the call
// it watched goes on. Touches UsageBaseline and, to judge a failing connection, reads Connection.
import { getDb } from "@/lib/db";
import { log } from "@/lib/log";

import { raiseAlert } from "./raise";
import type { DetectorKind } from "./schemas";
import { detectorSetting } from "./settings";

type Who = { tenantId: string; agentId: string };

const MAX_KEYS = 50_000;
const g = globalThis as unknown as {
  __vaultDetectors?: { velocity: Map<string, number[]>; denials: Map<string, number[]>; baselines: Map<string, { startedAt: number; items: Set<string> }> };
};
const state = (g.__vaultDetectors ??= { velocity: new Map(), denials: new Map(), baselines: new Map() });

/** Forgets every count and baseline copy (tests). */
export function resetDetectors(): void {
  state.velocity.clear();
  state.denials.clear();
  state.baselines.clear();
}

async function guarded(kind: DetectorKind, fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.error({ err, detector: kind }, "a containment detector failed; the call it watched goes on");
  }
}

/** Adds a hit at `now` and returns the hits within the window. */
function hit(windows: Map<string, number[]>, key: string, windowMs: number, now: number): number {
  const since = now - windowMs;
  const kept = (windows.get(key) ?? []).filter((t) => t > since);
  kept.push(now);
  if (windows.size >= MAX_KEYS && !windows.has(key)) windows.clear();
  windows.set(key, kept);
  return kept.length;
}

/** A token exchange that issued a token: exchange velocity, and the scopes' baseline. */
export async function observeExchange(e: Who & { connectionId: string; scopes: readonly string[] }, now = Date.now()): Promise<void> {
  await guarded("exchange_velocity", async () => {
    const s = await detectorSetting(e.tenantId, "exchange_velocity");
    if (!s.enabled || s.threshold === null) return;
    const windowSeconds = s.windowSeconds ?? 300;
    const n = hit(state.velocity, `${e.tenantId}|${e.agentId}`, windowSeconds * 1000, now);
    if (n <= s.threshold) return;
    await raiseAlert({
      tenantId: e.tenantId,
      kind: "exchange_velocity",
      agentId: e.agentId,
      connectionId: null,
      message: `This agent exchanged ${n} delegations for tokens within ${windowSeconds} seconds (more than ${s.threshold}): check what it is doing, or suspend it.`,
      details: { exchanges: n, threshold: s.threshold, windowSeconds },
    });
  });
  await observeUsage({ ...e, items: e.scopes.map((x) => `scope:${x}`) }, now);
}

/** Scopes and tools an agent uses on a connection: a first use after the learning period is scope escalation. */
export async function observeUsage(e: Who & { connectionId: string; items: readonly string[] }, now = Date.now()): Promise<void> {
  const key = `${e.agentId}|${e.connectionId}`;
  const known = state.baselines.get(key);
  if (known && e.items.every((i) => known.items.has(i))) return;
  await guarded("scope_escalation", async () => {
    const s = await detectorSetting(e.tenantId, "scope_escalation");
    if (!s.enabled) return;
    const db = await getDb();
    let b = state.baselines.get(key);
    let fresh = false;
    if (!b) {
      const rows = await db.usageBaseline.findMany({ where: { agentId: e.agentId, connectionId: e.connectionId }, select: { item: true, firstSeenAt: true } });
      fresh = rows.length === 0;
      const startedAt = rows.reduce((min, r) => Math.min(min, r.firstSeenAt.getTime()), now);
      b = { startedAt, items: new Set(rows.map((r) => r.item)) };
      if (state.baselines.size >= MAX_KEYS) state.baselines.clear();
      state.baselines.set(key, b);
    }
    const added: string[] = [];
    for (const item of new Set(e.items)) {
      if (b.items.has(item)) continue;
      b.items.add(item);
      const { count } = await db.usageBaseline.createMany({
        data: [{ tenantId: e.tenantId, agentId: e.agentId, connectionId: e.connectionId, item: item.slice(0, 200), firstSeenAt: new Date(now) }],
        skipDuplicates: true,
      });
      // Another instance may have added it first: then it is not new.
      if (count === 1) added.push(item);
    }
    const learning = (s.windowSeconds ?? 86_400) * 1000;
    if (fresh || added.length === 0 || now - b.startedAt < learning) return;
    await raiseAlert({
      tenantId: e.tenantId,
      kind: "scope_escalation",
      agentId: e.agentId,
      connectionId: e.connectionId,
      message: `This agent used ${added.join(", ")} on this connection for the first time, outside what it has used so far: confirm the person expects it, or revoke the delegation.`,
      details: { new: added, baselineSince: new Date(b.startedAt).toISOString() },
    });
  });
}

/** PDP refusal codes that mean an agent reached for what is not its own. */
const UNAUTHORIZED_CODES: ReadonlySet<string> = new Set([
  "delegation_wrong_agent",
  "tenant_mismatch",
  "delegation_revoked",
  "connection_not_granted",
  "foreign_delegation",
]);
/** Refusals that are containment's own or a person's wish, not an agent probing. */
const NOT_COUNTED: ReadonlySet<string> = new Set(["agent_rate_limited", "approval_required"]);

const UNAUTHORIZED_SENTENCES: Record<string, string> = {
  delegation_wrong_agent: "presented a delegation granted to another agent",
  tenant_mismatch: "presented a delegation of another organisation",
  foreign_delegation: "presented a delegation of another organisation",
  delegation_revoked: "presented a delegation the person had revoked",
  connection_not_granted: "reached for a connection it holds no grant for",
};

/** One decision of the PDP: a refusal counts toward a denial storm, and some refusals are unauthorized access. */
export async function observeDecision(e: {
  tenantId: string;
  agentId: string | null;
  delegationId: string | null;
  connectionId: string | null;
  decision: "allow" | "deny";
  code: string;
  now?: number;
}): Promise<void> {
  if (e.decision === "allow" || !e.agentId || NOT_COUNTED.has(e.code)) return;
  const now = e.now ?? Date.now();
  if (UNAUTHORIZED_CODES.has(e.code)) await observeUnauthorized({ ...e, agentId: e.agentId });
  await guarded("denial_storm", async () => {
    const s = await detectorSetting(e.tenantId, "denial_storm");
    if (!s.enabled || s.threshold === null) return;
    const windowSeconds = s.windowSeconds ?? 3600;
    const n = hit(state.denials, `${e.tenantId}|${e.agentId}`, windowSeconds * 1000, now);
    if (n <= s.threshold) return;
    await raiseAlert({
      tenantId: e.tenantId,
      kind: "denial_storm",
      agentId: e.agentId,
      connectionId: null,
      message: `The policy decision point refused this agent ${n} times within ${windowSeconds} seconds (more than ${s.threshold}): check its delegations and ceiling, or suspend it if it should not be trying.`,
      details: { denials: n, threshold: s.threshold, windowSeconds, lastCode: e.code },
    });
  });
}

/** An agent presenting another agent's, another tenant's or a revoked delegation, or reaching an ungranted connection. */
export async function observeUnauthorized(e: Who & { delegationId: string | null; connectionId: string | null; code: string }): Promise<void> {
  await guarded("unauthorized_agent", async () => {
    const s = await detectorSetting(e.tenantId, "unauthorized_agent");
    if (!s.enabled) return;
    // Another tenant's connection is not named in this tenant's alert.
    const foreign = e.code === "foreign_delegation" || e.code === "tenant_mismatch";
    await raiseAlert({
      tenantId: e.tenantId,
      kind: "unauthorized_agent",
      agentId: e.agentId,
      connectionId: foreign ? null : e.connectionId,
      message: `This agent ${UNAUTHORIZED_SENTENCES[e.code] ?? "reached for what is not its own"}: find out why, and suspend it if it should not be doing this.`,
      details: { code: e.code, ...(e.delegationId && !foreign ? { delegationId: e.delegationId } : {}) },
    });
  });
}

/** A connection stored, or a delegation granted: more scopes than the threshold is broad consent. */
export async function observeGrant(e: {
  tenantId: string;
  what: "connection" | "delegation";
  id: string;
  agentId: string | null;
  connectionId: string;
  scopes: readonly string[];
}): Promise<void> {
  await guarded("broad_consent", async () => {
    const s = await detectorSetting(e.tenantId, "broad_consent");
    if (!s.enabled || s.threshold === null || e.scopes.length <= s.threshold) return;
    const thing = e.what === "connection" ? "A connection was made" : "A delegation was granted";
    await raiseAlert({
      tenantId: e.tenantId,
      kind: "broad_consent",
      agentId: e.agentId,
      connectionId: e.connectionId,
      message: `${thing} with ${e.scopes.length} scopes (more than ${s.threshold}): check that each is needed, and grant narrower access where it is not.`,
      details: { [e.what === "connection" ? "connectionId" : "delegationId"]: e.id, scopes: e.scopes.slice(0, 50), threshold: s.threshold },
    });
  });
}

/** A refresh failed and was recorded: the connection keeps failing once its failures in a row reach the threshold. */
export async function observeRefreshFailure(e: { tenantId: string; connectionId: string }): Promise<void> {
  await guarded("connection_failing", async () => {
    const s = await detectorSetting(e.tenantId, "connection_failing");
    if (!s.enabled) return;
    const db = await getDb();
    const c = await db.connection.findFirst({
      where: { id: e.connectionId, tenantId: e.tenantId },
      select: { failureCount: true, providerKey: true, status: true },
    });
    const threshold = s.threshold ?? 3;
    if (!c || c.failureCount < threshold) return;
    await raiseAlert({
      tenantId: e.tenantId,
      kind: "connection_failing",
      agentId: null,
      connectionId: e.connectionId,
      message: `A ${c.providerKey} connection failed to refresh ${c.failureCount} times in a row${c.status === "needs_reconnect" ? " and needs its owner to reconnect it" : "; the vault keeps trying"}: check the provider's status and the client registration.`,
      details: { failures: c.failureCount, threshold, provider: c.providerKey, status: c.status },
    });
  });
}
