// The policy decision itself (ARCHITECTURE.md, "Four-layer delegation model"): pure, deny by default,
// one answer naming the layer and the stable code that decided. lib/pdp/evaluate.ts loads the facts
// and audits; the token endpoint, the proxy, the tools and the AuthZEN API all ask through it.
//
// Order. First who is asking and about what: the agent (ceiling: agent_unknown, tenant_mismatch,
// agent_suspended), then the delegation it names (consent: delegation_unknown — also for another
// tenant's, so its existence does not leak — and delegation_wrong_agent): until both are known the
// other checks have nothing to compare. An agent a containment policy holds back is then refused
// (agent_rate_limited, with the seconds to wait) whatever it asks. Then the layers in order, first denial wins:
//   1 ceiling  service_account_not_allowed, provider_not_allowed, tool_not_allowed, method_not_allowed, path_not_allowed, delegation_too_long
//   2 scope    connection_unavailable, scope_not_granted
//   3 consent  delegation_revoked, delegation_expired, tool_not_delegated, scope_not_delegated
//   4 data     constraints_unreadable, read_only, method_not_allowed, path_not_allowed,
//              outside_time_window, rate_limited, approval_required (the delegation's "ask me before writes",
//              the ceiling's approvalTools/approvalMethods, or a containment hold on the agent's writes,
//              unless the person approved this very request)
// Scopes, one rule: the scope layer compares with the connection (what is still granted there,
// scope_not_granted), consent compares with the delegation among those (scope_not_delegated). So a
// scope removed from the connection after the grant is scope_not_granted; a scope the connection has
// but the person did not delegate is scope_not_delegated. An allow carries (requested ?? delegated) ∩ granted.
// `exchange` (delegation id -> token) checks everything that makes the delegation valid now, not
// the per-request rules (tool/proxy specifics, time window, rate, approval) that the call will meet.
import type { Ceiling } from "@/lib/agents/ceiling";
import type { Constraints, TimeWindow, Weekday } from "@/lib/delegations/constraints";
import { WEEKDAYS } from "@/lib/delegations/constraints";
import { isNormalPath, matchAny, matchPath } from "@/lib/pdp/path-pattern";
import { isUsableConnection } from "@/lib/pdp/connection";
import { callerStanding, grantStanding } from "@/lib/pdp/standing";
import type { PdpAction, PdpConnection, PdpDecision, PdpDelegation, PdpFacts, PdpLayer } from "@/lib/pdp/types";
import { findTool, PROXY_SCOPE_RULES } from "@/lib/providers/meta";
import { READ_METHODS, type ToolMeta } from "@/lib/tools/tool";

/** Clock difference tolerated between the grant's expiry and the row's creation time (app vs database clock). */
export const LIFETIME_GRACE_SECONDS = 60;

type Verdict = PdpDecision | null;
type Ctx = { facts: PdpFacts; action: PdpAction; ceiling: Ceiling; delegation: PdpDelegation; connection: PdpConnection | null; tool?: ToolMeta };

function deny(layer: PdpLayer, code: string, reason: string, missing?: string[]): PdpDecision {
  return { decision: "deny", layer, code, reason, ...(missing ? { missing } : {}) };
}

export function decide(facts: PdpFacts, action: PdpAction): PdpDecision {
  const who = callerStanding(facts);
  if (who) return who;
  const agent = facts.agent!;
  const held = agent.hold?.rateLimitedUntil;
  if (held && held.getTime() > facts.now.getTime()) {
    const retryAfter = Math.max(1, Math.ceil((held.getTime() - facts.now.getTime()) / 1000));
    return { ...deny("ceiling", "agent_rate_limited", `A containment policy holds this agent back: try again in ${retryAfter} seconds.`), retryAfter };
  }
  const delegation = facts.delegation!;

  const c = facts.connection;
  // A service account stands in for the person's connection only as loaded by evaluate.ts (same tenant and provider).
  const connection = c && (c.id === delegation.connectionId || facts.serviceAccount === true) && c.tenantId === facts.tenantId ? c : null;
  const ctx: Ctx = { facts, action, ceiling: agent.ceiling, delegation, connection, tool: action.kind === "tool" ? findTool(action.tool) : undefined };
  return ceilingLayer(ctx) ?? scopeLayer(ctx) ?? consentLayer(ctx) ?? dataLayer(ctx) ?? allow(ctx);
}

function ceilingLayer({ facts, action, ceiling, delegation, connection, tool }: Ctx): Verdict {
  if (facts.serviceAccount && !ceiling.allowServiceAccount) {
    return deny("ceiling", "service_account_not_allowed", "An administrator does not let this agent act with a service account.");
  }
  if (connection && !ceiling.providers.includes(connection.provider)) {
    return deny("ceiling", "provider_not_allowed", `An administrator does not let this agent use ${connection.provider} connections.`);
  }
  if (action.kind === "tool") {
    if (!tool || !ceiling.tools.includes(tool.name))
      return deny("ceiling", "tool_not_allowed", `An administrator does not let this agent call the tool "${action.tool}".`);
    if (connection && tool.provider !== connection.provider)
      return deny("ceiling", "tool_not_allowed", `The tool "${tool.name}" is for ${tool.provider}, not for this ${connection.provider} connection.`);
  }
  if (action.kind === "proxy") {
    if (!ceiling.methods.includes(action.method))
      return deny("ceiling", "method_not_allowed", `An administrator does not let this agent send ${action.method} requests.`);
    if (!isNormalPath(action.path))
      return deny("ceiling", "path_not_allowed", "The path is not a plain absolute path (no `..`, `//`, encoded slashes or dots).");
    if (!matchAny(ceiling.pathPatterns, action.path))
      return deny("ceiling", "path_not_allowed", `An administrator does not let this agent reach ${action.path}.`);
  }
  const lifetime = (delegation.expiresAt.getTime() - delegation.createdAt.getTime()) / 1000;
  if (lifetime > ceiling.maxDelegationSeconds + LIFETIME_GRACE_SECONDS) {
    return deny("ceiling", "delegation_too_long", "The delegation lasts longer than an administrator now allows for this agent: grant a shorter one.");
  }
  return null;
}

/** The scopes that could satisfy this action, before looking at the connection or the delegation. */
function neededScopes({ action, delegation, connection, tool }: Ctx): readonly string[] {
  if (action.kind === "tool") return tool?.anyOfScopes ?? [];
  if (action.kind === "proxy" && connection) {
    const rule = (PROXY_SCOPE_RULES[connection.provider] ?? []).find((r) => r.methods.includes(action.method) && matchPath(r.pathPattern, action.path));
    if (rule) return rule.anyOfScopes;
  }
  // An exchange, or a proxy call no rule speaks about: any scope asked for, or else any delegated one.
  return requested(action) ?? delegation.scopes;
}

function requested(action: PdpAction): string[] | null {
  return action.scopes && action.scopes.length > 0 ? [...new Set(action.scopes)] : null;
}

function scopeLayer(ctx: Ctx): Verdict {
  const { connection, action } = ctx;
  if (!connection || !isUsableConnection(connection.status)) {
    return deny("scope", "connection_unavailable", "The connection behind this delegation is disconnected or needs reconnecting: its owner must reconnect it.");
  }
  const granted = new Set(connection.scopes);
  const missing = requested(action)?.filter((s) => !granted.has(s)) ?? [];
  if (missing.length > 0) return deny("scope", "scope_not_granted", `The connection is not (or no longer) granted ${missing.join(", ")}.`);
  const needed = neededScopes(ctx);
  if (!needed.some((s) => granted.has(s))) {
    return deny("scope", "scope_not_granted", `The connection is not (or no longer) granted any scope this needs (${needed.join(", ") || "none delegated"}).`);
  }
  return null;
}

function consentLayer(ctx: Ctx): Verdict {
  const { facts, action, delegation, connection } = ctx;
  const held = grantStanding(delegation, facts.now);
  if (held) return held;
  if (action.kind === "tool" && !delegation.tools.includes(action.tool))
    return deny("consent", "tool_not_delegated", `The person did not delegate the tool "${action.tool}".`, [action.tool]);
  const delegated = new Set(delegation.scopes);
  const asked = requested(action);
  const missing = asked?.filter((s) => !delegated.has(s)) ?? [];
  if (missing.length > 0) return deny("consent", "scope_not_delegated", `The person did not delegate ${missing.join(", ")}.`, missing);
  // Among the scopes the connection still holds for this, one must be delegated (and requested, when narrowed).
  const usable = new Set(asked ?? delegation.scopes);
  const granted = new Set(connection!.scopes);
  const needed = neededScopes(ctx);
  if (!needed.some((s) => granted.has(s) && usable.has(s))) {
    // Any one of the needed scopes the connection holds would do (the scope layer made sure there is one).
    return deny(
      "consent",
      "scope_not_delegated",
      "None of the scopes this needs was delegated (or requested).",
      needed.filter((s) => granted.has(s)),
    );
  }
  return null;
}

function writes(action: PdpAction, tool?: ToolMeta): boolean {
  if (action.kind === "tool") return tool?.write ?? true;
  if (action.kind === "proxy") return !READ_METHODS.has(action.method);
  return false;
}

function dataLayer({ facts, action, ceiling, delegation, tool }: Ctx): Verdict {
  const rules: Constraints | null = delegation.constraints;
  if (!rules) return deny("data", "constraints_unreadable", "The delegation's rules cannot be read: the person should grant it again.");
  if (action.kind === "exchange") return null;
  const isWrite = writes(action, tool);
  if (rules.readOnly && isWrite) return deny("data", "read_only", "The person made this delegation read-only.");
  if (action.kind === "proxy") {
    if (rules.methods && !rules.methods.includes(action.method))
      return deny("data", "method_not_allowed", `The person does not allow ${action.method} requests with this delegation.`);
    if (rules.pathPatterns && !matchAny(rules.pathPatterns, action.path))
      return deny("data", "path_not_allowed", `The person does not allow reaching ${action.path} with this delegation.`);
  }
  if (rules.timeWindow && !inTimeWindow(rules.timeWindow, facts.now)) {
    const w = rules.timeWindow;
    return deny("data", "outside_time_window", `The person allows this only on ${w.days.join(", ")} from ${w.start} to ${w.end} (${w.timeZone}).`);
  }
  if (rules.rateLimit) {
    const { max, perSeconds } = rules.rateLimit;
    // Not counted means not known to be under the limit.
    if (facts.recentActions === undefined || facts.recentActions >= max)
      return deny("data", "rate_limited", `The person allows at most ${max} actions every ${perSeconds} seconds: try again later.`);
  }
  if (facts.approved) return null;
  if (rules.approvalForWrites && isWrite) return deny("data", "approval_required", "The person wants to approve every change made with this delegation.");
  if (facts.agent?.hold?.approvalForWrites && isWrite)
    return deny("data", "approval_required", "A containment policy sends this agent's changes for approval after an alert about it.");
  if (action.kind === "tool" && ceiling.approvalTools.includes(action.tool))
    return deny("data", "approval_required", `An administrator wants the person to approve every call of the tool "${action.tool}" by this agent.`);
  if (action.kind === "proxy" && ceiling.approvalMethods.includes(action.method))
    return deny("data", "approval_required", `An administrator wants the person to approve every ${action.method} request by this agent.`);
  return null;
}

function allow({ action, delegation, connection }: Ctx): PdpDecision {
  const granted = new Set(connection!.scopes);
  const scopes = (requested(action) ?? delegation.scopes).filter((s) => granted.has(s));
  return { decision: "allow", layer: "data", code: "allowed", reason: "Every layer allows this.", scopes: [...new Set(scopes)] };
}

const WEEKDAY_BY_SHORT: Record<string, Weekday> = { Mon: "mon", Tue: "tue", Wed: "wed", Thu: "thu", Fri: "fri", Sat: "sat", Sun: "sun" };

/** The weekday and minute of the day at `now` on the wall clock of `timeZone`. */
export function localClock(now: Date, timeZone: string): { day: Weekday; minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = WEEKDAY_BY_SHORT[part("weekday")];
  if (!day) throw new Error(`Unexpected weekday from Intl: ${part("weekday")}`);
  return { day, minute: (Number(part("hour")) % 24) * 60 + Number(part("minute")) };
}

/**
 * Start inclusive, end exclusive, on the listed days in the window's time zone. A window that wraps
 * past midnight (22:00-06:00) belongs to the day it starts on: Friday 22:00-06:00 covers Saturday 05:59.
 */
export function inTimeWindow(w: TimeWindow, now: Date): boolean {
  const toMinute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  const start = toMinute(w.start);
  const end = toMinute(w.end);
  const { day, minute } = localClock(now, w.timeZone);
  const days = new Set<Weekday>(w.days);
  if (start < end) return days.has(day) && minute >= start && minute < end;
  const previous = WEEKDAYS[(WEEKDAYS.indexOf(day) + 6) % 7]!;
  return (days.has(day) && minute >= start) || (days.has(previous) && minute < end);
}
