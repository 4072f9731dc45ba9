import "server-only";
// Whose credential an action uses. The person's own connection, the one they delegated, always
// comes first. A tenant service account (a connection marked isServiceAccount, same tenant and
// provider) stands in only when the person's connection cannot be used AND the tenant switch, the
// agent's ceiling and the delegation all allow it. Never silently: the answer, the receipt and the
// audit event name the credential used. The token endpoint asks the same gates
// (serviceAccountForExchange), so these rules live here and nowhere else.
import type { Ceiling } from "@/lib/agents/ceiling";
import type { DelegationCaller } from "@/lib/oauth-server/bearer";
import { reloadCaller } from "@/lib/oauth-server/bearer";
import { isUsableConnection } from "@/lib/pdp/connection";
import { delegationFacts, serviceAccountConnection, type DelegationFacts, type FactsConnection } from "@/lib/policy/facts";

export type CredentialKind = "user" | "service_account";

export type ActionConnection = FactsConnection;

/**
 * What the four service-account gates are decided on: the tenant switch, the agent's ceiling, the
 * delegation and the person's own connection (whose tenant and provider the stand-in must share).
 */
export type ServiceAccountGates = {
  delegation: { allowServiceAccount: boolean };
  ceiling: Ceiling;
  tenantAllowsServiceAccounts: boolean;
  /** The person's own connection, the one the delegation names. */
  person: ActionConnection;
};

/** The rows an action is decided on (the facts behind the caller's token) and its gates. */
export type ActionContext = ServiceAccountGates & {
  caller: DelegationCaller;
  delegation: { id: string; connectionId: string; tools: string[]; allowServiceAccount: boolean };
};

export type Credential = { kind: CredentialKind; connection: ActionConnection };

/** Which gate kept a service account out, for tests and logs. */
export type ServiceAccountRefusal = "person_connection_usable" | "tenant_switch" | "agent_ceiling" | "delegation" | "none_connected";

export function isUsable(connection: ActionConnection): boolean {
  return isUsableConnection(connection.status);
}

function gatesOf(facts: DelegationFacts): ServiceAccountGates {
  return {
    delegation: { allowServiceAccount: facts.delegation.allowServiceAccount },
    ceiling: facts.agent.ceiling,
    tenantAllowsServiceAccounts: facts.tenantAllowsServiceAccounts,
    person: facts.connection,
  };
}

/** The context of the caller's own facts (as authenticated for this call). */
export function actionContext(caller: DelegationCaller): ActionContext {
  const d = caller.facts.delegation;
  return {
    ...gatesOf(caller.facts),
    caller,
    delegation: { id: d.id, connectionId: d.connectionId, tools: d.tools, allowServiceAccount: d.allowServiceAccount },
  };
}

/** The context on the delegation's rows read now. */
export async function loadActionContext(caller: DelegationCaller): Promise<ActionContext> {
  return actionContext(await reloadCaller(caller));
}

/**
 * The gates for a delegation named by an agent at the token endpoint, or null when it is not this
 * agent's delegation in this tenant (the PDP then refuses it and says why; nothing is told here).
 */
export async function loadServiceAccountGates(
  q: { tenantId: string; agentId: string; delegationId: string },
  opts: { cached?: boolean } = {},
): Promise<ServiceAccountGates | null> {
  const facts = await delegationFacts(q.tenantId, q.delegationId, { cached: opts.cached === true });
  if (
    !facts ||
    facts.tenantId !== q.tenantId ||
    facts.agent.id !== q.agentId ||
    facts.agent.tenantId !== q.tenantId ||
    facts.connection.tenantId !== q.tenantId
  )
    return null;
  return gatesOf(facts);
}

/**
 * The tenant service account this action may use instead of the person's connection, or the first
 * gate that refuses. Every gate must allow it; the PDP then decides on the service account itself.
 */
export async function serviceAccountFor(
  ctx: ServiceAccountGates,
  opts: { personUsable?: boolean } = {},
): Promise<{ connection: ActionConnection } | { refused: ServiceAccountRefusal }> {
  if (opts.personUsable ?? isUsable(ctx.person)) return { refused: "person_connection_usable" };
  if (!ctx.tenantAllowsServiceAccounts) return { refused: "tenant_switch" };
  if (!ctx.ceiling.allowServiceAccount) return { refused: "agent_ceiling" };
  if (!ctx.delegation.allowServiceAccount) return { refused: "delegation" };
  // The person's connection was checked to be in the caller's tenant when the gates were loaded.
  const connection = await serviceAccountConnection({ tenantId: ctx.person.tenantId, providerKey: ctx.person.provider, notId: ctx.person.id });
  return connection ? { connection } : { refused: "none_connected" };
}

/**
 * The service account a token exchange may stand on when the person's connection is unusable: its
 * id for the PDP (which re-checks it is a service account of the same tenant and provider, and the
 * ceiling), or undefined when any gate refuses, so the exchange is decided exactly as before.
 */
export async function serviceAccountForExchange(
  q: { tenantId: string; agentId: string; delegationId: string },
  opts: { cached?: boolean } = {},
): Promise<string | undefined> {
  const gates = await loadServiceAccountGates(q, opts);
  if (!gates || isUsable(gates.person)) return undefined;
  const sa = await serviceAccountFor(gates, { personUsable: false });
  return "connection" in sa ? sa.connection.id : undefined;
}

/**
 * The credential to try first: the person's connection when it is usable; otherwise a service account
 * when every gate allows one; otherwise still the person's, so the PDP refuses and says why.
 */
export async function resolveCredential(ctx: ServiceAccountGates): Promise<Credential> {
  if (isUsable(ctx.person)) return { kind: "user", connection: ctx.person };
  const sa = await serviceAccountFor(ctx);
  return "connection" in sa ? { kind: "service_account", connection: sa.connection } : { kind: "user", connection: ctx.person };
}
