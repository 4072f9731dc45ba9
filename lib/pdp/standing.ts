// Whether an agent may act on a delegation at all, whatever it asks: the one definition the bearer
// check (lib/oauth-server/bearer.ts), the action pipeline and the PDP itself (decide.ts) share. Two
// parts, because the PDP judges them at different layers: who is asking (the agent is known, of the
// caller's tenant and active; the delegation is known and is this agent's) comes before everything,
// whether the grant still holds (not revoked, not expired) is the consent layer's first question.
// Pure.
import type { PdpAgent, PdpDecision, PdpDelegation, PdpLayer } from "./types";

export type StandingFacts = { tenantId: string; agent: PdpAgent | null; delegation: PdpDelegation | null };

function deny(layer: PdpLayer, code: string, reason: string): PdpDecision {
  return { decision: "deny", layer, code, reason };
}

/** Who is asking, about which delegation: null when the agent and the delegation belong together here. */
export function callerStanding({ tenantId, agent, delegation }: StandingFacts): PdpDecision | null {
  if (!agent) return deny("ceiling", "agent_unknown", "The vault does not know this agent.");
  if (agent.tenantId !== tenantId) return deny("ceiling", "tenant_mismatch", "The agent belongs to another organisation.");
  if (agent.status !== "active")
    return deny("ceiling", "agent_suspended", "An administrator suspended this agent: nothing it asks is allowed until it is resumed.");
  if (!delegation || delegation.tenantId !== tenantId) return deny("consent", "delegation_unknown", "The vault does not know this delegation.");
  if (delegation.agentId !== agent.id) return deny("consent", "delegation_wrong_agent", "This delegation was granted to another agent.");
  return null;
}

/** Whether the person's grant still holds at `now`: null when it does. */
export function grantStanding(delegation: Pick<PdpDelegation, "revokedAt" | "expiresAt">, now: Date): PdpDecision | null {
  if (delegation.revokedAt) return deny("consent", "delegation_revoked", "The person revoked this delegation.");
  if (now.getTime() >= delegation.expiresAt.getTime())
    return deny("consent", "delegation_expired", "This delegation has expired: the person can grant a new one.");
  return null;
}

/** Both parts, in order: the refusal a token bearing this delegation meets before anything else. */
export function delegationStanding(facts: StandingFacts, now: Date): PdpDecision | null {
  return callerStanding(facts) ?? grantStanding(facts.delegation!, now);
}

/** The standing codes, which mean the token itself no longer works (answered 401, not 403). */
export const STANDING_CODES: ReadonlySet<string> = new Set([
  "agent_unknown",
  "tenant_mismatch",
  "agent_suspended",
  "delegation_unknown",
  "delegation_wrong_agent",
  "delegation_revoked",
  "delegation_expired",
]);
