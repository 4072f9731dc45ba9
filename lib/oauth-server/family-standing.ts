import "server-only";
// What a token family still stands on: the delegations of its consent that hold now (the same
// standing rule as every delegation token, lib/pdp/standing.ts) on connections that still exist.
// A family none of whose delegations hold gets no new token and its access tokens open nothing.
import { delegationStanding } from "@/lib/pdp/standing";
import { delegationFacts, type DelegationFacts } from "@/lib/policy/facts";

export type FamilyRow = {
  id: string;
  tenantId: string;
  clientId: string;
  agentId: string;
  userId: string;
  resource: string;
  delegationIds: string[];
  revokedAt: Date | null;
};

export type FamilyStanding =
  | { ok: true; delegations: DelegationFacts[] }
  | { ok: false; code: "family_revoked" | "agent_suspended" | "agent_unknown" | "delegations_gone"; reason: string };

export async function familyStanding(family: FamilyRow, now = new Date()): Promise<FamilyStanding> {
  if (family.revokedAt) return { ok: false, code: "family_revoked", reason: "This connection of the application was revoked: connect it again." };
  const live: DelegationFacts[] = [];
  let agentSuspended = false;
  for (const id of family.delegationIds) {
    const facts = await delegationFacts(family.tenantId, id, { cached: false });
    if (!facts || facts.agent.id !== family.agentId || facts.tenantId !== family.tenantId || facts.delegation.userId !== family.userId) continue;
    const refusal = delegationStanding(facts, now);
    if (refusal?.code === "agent_suspended") agentSuspended = true;
    if (refusal || facts.connection.status === "revoked") continue;
    live.push(facts);
  }
  if (agentSuspended) return { ok: false, code: "agent_suspended", reason: "An administrator suspended this application: its tokens no longer work." };
  if (live.length === 0) {
    return { ok: false, code: "delegations_gone", reason: "Every access the person gave this application was revoked, has expired or lost its connection." };
  }
  return { ok: true, delegations: live };
}
