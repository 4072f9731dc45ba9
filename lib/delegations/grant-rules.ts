// What a person may grant an agent on one connection: the agent's capability ceiling intersected with
// the scopes the connection was granted (ARCHITECTURE.md, layers 1-3). Pure and client-safe, so the
// grant form offers exactly what grantDelegation accepts, and says why everything else is not offered.
// The PDP applies the same intersection again at decision time: a later narrowing still bites.
import type { Ceiling } from "@/lib/agents/ceiling";
import { isUsableConnection } from "@/lib/pdp/connection";
import { findTool, toolsForProvider } from "@/lib/providers/meta";
import type { HttpMethod } from "@/lib/tools/tool";
import type { CreateDelegation } from "./schemas";

/** Why something is refused. `status` is the HTTP status the BFF answers with. */
export type Refusal = { code: string; reason: string; status: 400 | 403 };

export type RuleAgent = { id: string; name: string; status: "active" | "suspended"; ceiling: Ceiling };
export type RuleConnection = {
  provider: string;
  providerName: string;
  status: "active" | "refreshing" | "degraded" | "needs_reconnect" | "revoked";
  scopes: readonly string[];
};

export type OfferedScope = { scope: string; description: string };
export type RefusedScope = { scope: string; description: string; code: string; reason: string };
export type OfferedTool = { name: string; title: string; description: string; write: boolean; anyOfScopes: string[] };
export type RefusedTool = { name: string; title: string; code: string; reason: string };

export type AgentOptions = {
  agentId: string;
  agentName: string;
  /** null when the form may offer this agent; otherwise why it may not. */
  unavailable: Omit<Refusal, "status"> | null;
  scopes: OfferedScope[];
  refusedScopes: RefusedScope[];
  tools: OfferedTool[];
  refusedTools: RefusedTool[];
  /** The ceiling's longest delegation, in seconds. */
  maxDelegationSeconds: number;
  /** The ceiling's proxy methods and paths: a grant's limits may only narrow them. */
  methods: HttpMethod[];
  pathPatterns: string[];
  /** The ceiling lets this agent act with a tenant service account: only then may a grant allow one. */
  allowServiceAccount: boolean;
};

const forbid = (code: string, reason: string): Refusal => ({ code, reason, status: 403 });
const invalid = (code: string, reason: string): Refusal => ({ code, reason, status: 400 });

/** Refusals that concern the whole agent on this connection, before any scope or tool is chosen. */
export function agentRefusal(agent: RuleAgent, connection: RuleConnection): Refusal | null {
  if (!isUsableConnection(connection.status)) {
    const why = connection.status === "revoked" ? "is disconnected" : "needs to be reconnected";
    return forbid("connection_unavailable", `This ${connection.providerName} connection ${why}, so no agent can be given access to it.`);
  }
  if (agent.status !== "active") return forbid("agent_suspended", `${agent.name} is suspended by an administrator, so it cannot be given access.`);
  if (!agent.ceiling.providers.includes(connection.provider)) {
    return forbid("provider_not_allowed", `An administrator has not allowed ${agent.name} to use ${connection.providerName}.`);
  }
  return null;
}

/** The form's offer for one agent: allowed scopes and tools, and each refusal with its reason. */
export function agentOptions(agent: RuleAgent, connection: RuleConnection, catalogueScopes: readonly OfferedScope[]): AgentOptions {
  const base = {
    agentId: agent.id,
    agentName: agent.name,
    maxDelegationSeconds: agent.ceiling.maxDelegationSeconds,
    methods: [...agent.ceiling.methods],
    pathPatterns: [...agent.ceiling.pathPatterns],
    allowServiceAccount: agent.ceiling.allowServiceAccount,
  };
  const refusal = agentRefusal(agent, connection);
  if (refusal) return { ...base, unavailable: { code: refusal.code, reason: refusal.reason }, scopes: [], refusedScopes: [], tools: [], refusedTools: [] };

  const granted = new Set(connection.scopes);
  const described = new Map(catalogueScopes.map((s) => [s.scope, s.description]));
  const scopes = connection.scopes.map((scope) => ({ scope, description: described.get(scope) ?? scope }));
  const refusedScopes = catalogueScopes
    .filter((s) => !granted.has(s.scope))
    .map((s) => ({
      ...s,
      code: "scope_not_granted",
      reason: `Not granted to the vault when you connected ${connection.providerName}: reconnect and tick it to offer it.`,
    }));

  const tools: OfferedTool[] = [];
  const refusedTools: RefusedTool[] = [];
  for (const tool of toolsForProvider(connection.provider)) {
    const head = { name: tool.name, title: tool.title };
    if (!agent.ceiling.tools.includes(tool.name)) {
      refusedTools.push({ ...head, code: "tool_not_allowed", reason: `An administrator has not allowed ${agent.name} to use this tool.` });
    } else if (!tool.anyOfScopes.some((s) => granted.has(s))) {
      refusedTools.push({ ...head, code: "scope_not_granted", reason: `Needs ${orList(tool.anyOfScopes)}, which this connection was not granted.` });
    } else {
      tools.push({ ...head, description: tool.description, write: tool.write, anyOfScopes: [...tool.anyOfScopes] });
    }
  }
  return { ...base, unavailable: null, scopes, refusedScopes, tools, refusedTools };
}

/** The first reason a grant may not be made, or null when it may. */
export function checkGrant(agent: RuleAgent, connection: RuleConnection, body: CreateDelegation, now: Date): Refusal | null {
  const refusal = agentRefusal(agent, connection);
  if (refusal) return refusal;
  if (body.allowServiceAccount && !agent.ceiling.allowServiceAccount) {
    return forbid(
      "service_account_not_allowed",
      `An administrator has not allowed ${agent.name} to act with a service account: grant access without the service-account option.`,
    );
  }

  const granted = new Set(connection.scopes);
  const missing = body.scopes.filter((s) => !granted.has(s));
  if (missing.length > 0) {
    return forbid(
      "scope_not_granted",
      `This connection was not granted ${andList(missing)}: choose among ${andList(connection.scopes)}, or reconnect asking for more.`,
    );
  }

  const chosen = new Set(body.scopes);
  for (const name of body.tools) {
    const tool = findTool(name);
    if (!tool || tool.provider !== connection.provider)
      return forbid("tool_not_allowed", `${name} is not a ${connection.providerName} tool: choose a tool for this connection.`);
    if (!agent.ceiling.tools.includes(name)) return forbid("tool_not_allowed", `An administrator has not allowed ${agent.name} to use ${name}.`);
    if (!tool.anyOfScopes.some((s) => chosen.has(s))) {
      return invalid("tool_needs_scope", `${name} needs ${orList(tool.anyOfScopes)}: choose one of them among the scopes, or leave the tool out.`);
    }
  }

  const expires = Date.parse(body.expiresAt);
  if (!(expires > now.getTime())) return invalid("expiry_in_past", "The expiry is not in the future: choose how long the access should last.");
  const maxMs = agent.ceiling.maxDelegationSeconds * 1000;
  if (expires - now.getTime() > maxMs) {
    return forbid(
      "delegation_too_long",
      `${agent.name} may be given access for at most ${describeDuration(agent.ceiling.maxDelegationSeconds)}: choose a shorter expiry.`,
    );
  }

  const methods = body.constraints.methods ?? [];
  const extra = methods.filter((m) => !agent.ceiling.methods.includes(m));
  if (extra.length > 0) {
    const allowed = agent.ceiling.methods.length ? `it may only use ${andList(agent.ceiling.methods)}` : "it may make no direct API calls";
    return forbid("method_not_allowed", `${agent.name} may not use ${andList(extra)} (${allowed}): limits can only narrow what an administrator allowed.`);
  }
  return null;
}

/** "30 days", "1 hour", "90 minutes": the largest unit that divides the duration exactly. */
export function describeDuration(seconds: number): string {
  const units: Array<[number, string]> = [
    [86_400, "day"],
    [3_600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  const [size, name] = units.find(([size]) => seconds % size === 0 && seconds >= size) ?? [1, "second"];
  const n = seconds / size;
  return `${n} ${name}${n === 1 ? "" : "s"}`;
}

function andList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "nothing";
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function orList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? "a scope";
  return `${items.slice(0, -1).join(", ")} or ${items.at(-1)}`;
}
