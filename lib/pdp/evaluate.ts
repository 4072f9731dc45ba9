import "server-only";
// Decides and records: the pure decision (decide.ts) is made inside the audit writer's batch, on the
// batch's clock and rate windows, and its audit event is part of that batch. Nothing is decided that
// is not recorded: the caller gets the decision only once its event is durable. A decision made on
// rows older than the tenant's current policy version is handed back stale and made again on rows
// read now, so no decision ever rests on a revoked grant, a suspended agent or a changed ceiling.
// The rate limit is counted in the batch from the delegation's rate window, so concurrent calls on
// any number of instances cannot all slip under it.
import type { AuditInput } from "@/lib/audit/chain";
import { submitAudit, type WrittenEvent } from "@/lib/audit/writer";
import { observeDecision, observeUnauthorized } from "@/lib/containment/detectors";
import { agentFacts, connectionFacts, delegationFacts, type FactsAgent, type FactsConnection } from "@/lib/policy/facts";
import { decide } from "@/lib/pdp/decide";
import { delegationStanding } from "@/lib/pdp/standing";
import type { PdpAction, PdpDecision, PdpDelegation } from "@/lib/pdp/types";

export const PDP_AUDIT_ACTION = "pdp.decision";
const MAX_STALE_RETRIES = 5;

export type EvaluateInput = {
  tenantId: string;
  agentId: string;
  delegationId: string | null;
  action: PdpAction;
  actorArn?: string | null;
  requestId?: string;
  /**
   * Only a question (the AuthZEN API): decided and audited like any other, but nothing is done, so
   * it does not use up the delegation's rate limit.
   */
  advisory?: boolean;
  /**
   * Act with this tenant service account instead of the delegation's own connection (the person's is
   * unusable, and lib/orchestration/credential.ts found the tenant switch and the delegation allow it). The
   * scope layer then judges the service account; one that is not a service account of the same tenant
   * and provider counts as no connection at all.
   */
  serviceAccountId?: string;
};

/** What one decision is made on. */
export type DecisionSubject = {
  tenantId: string;
  /** The policy version these facts were read at; undefined only when nothing was found to read. */
  policyVersion?: number;
  agent: FactsAgent | null;
  delegation: (PdpDelegation & { userArn?: string }) | null;
  /** The delegation id asked about, found or not (the event's target). */
  delegationId: string | null;
  connection: FactsConnection | null;
  serviceAccount?: { id: string };
  action: PdpAction;
  actorArn?: string | null;
  requestId?: string;
  advisory?: boolean;
  /** The person approved this very request: the data layer's approval rules are met (lib/approvals/). */
  approved?: boolean;
  /** The token's own validity is judged before the layers (an agent acting with a delegation token). */
  standingFirst?: boolean;
  /** More members for the event: an action's write-ahead record names what is about to be sent. */
  record?: Record<string, unknown>;
  /** Events written right after the decision's, in the same batch (the token endpoint's issuance or refusal). */
  follow?: (decision: PdpDecision) => AuditInput[];
  /** The connection rows (by credential version) the action will use: the decision stands only while they are current. */
  credentials?: ReadonlyArray<{ connectionId: string; version: number }>;
};

export type RecordedDecision =
  | { status: "decided"; decision: PdpDecision; event: WrittenEvent; followed: WrittenEvent[] }
  | { status: "stale"; policyVersion: number; changedConnections?: string[] };

/** The pure decision on a subject at `now`, outside any batch (rate limits not counted). */
export function decideNow(s: DecisionSubject, now: Date): PdpDecision {
  const facts = {
    now,
    tenantId: s.tenantId,
    agent: s.agent,
    delegation: s.delegation,
    connection: s.connection,
    ...(s.serviceAccount ? { serviceAccount: true } : {}),
  };
  return (s.standingFirst ? delegationStanding(facts, now) : null) ?? decide(facts, s.action);
}

/** One decision, made in the audit batch and durable before it is returned; stale when the policy moved on. */
export async function decideRecorded(s: DecisionSubject): Promise<RecordedDecision> {
  const rate = s.delegation?.constraints?.rateLimit;
  const counted = rate && (s.action.kind === "tool" || s.action.kind === "proxy") ? { delegationId: s.delegation!.id, windowMs: rate.perSeconds * 1000 } : null;
  const outcome = await submitAudit({
    tenantId: s.tenantId,
    policyVersion: s.policyVersion,
    rateDelegations: counted ? [counted.delegationId] : [],
    ...(s.credentials ? { credentials: s.credentials } : {}),
    prepare: (view) => {
      const facts = {
        now: view.now,
        tenantId: s.tenantId,
        agent: s.agent,
        delegation: s.delegation,
        connection: s.connection,
        ...(s.serviceAccount ? { serviceAccount: true } : {}),
        ...(s.approved ? { approved: true } : {}),
        ...(counted ? { recentActions: view.recent(counted.delegationId, counted.windowMs) } : {}),
      };
      const decision = (s.standingFirst ? delegationStanding(facts, view.now) : null) ?? decide(facts, s.action);
      if (decision.decision === "allow" && counted && !s.advisory) view.hit(counted.delegationId, counted.windowMs);
      const event = {
        tenantId: s.tenantId,
        action: PDP_AUDIT_ACTION,
        outcome: decision.decision,
        actorArn: s.actorArn ?? s.delegation?.userArn ?? null,
        agentId: s.agent?.id ?? null,
        target: s.delegationId,
        details: { ...auditDetails(s, decision), ...s.record },
      };
      return { events: [event, ...(s.follow?.(decision) ?? [])], value: decision };
    },
  });
  if (outcome.status === "stale") return outcome;
  const decision = outcome.value;
  // A question (an administrator asking about an agent, say) is not the agent trying anything.
  if (!s.advisory)
    await observeDecision({
      tenantId: s.tenantId,
      agentId: s.agent?.id ?? null,
      delegationId: s.delegationId,
      connectionId: s.delegation?.connectionId ?? null,
      decision: decision.decision,
      code: decision.code,
    });
  return { status: "decided", decision, event: outcome.events[0]!, followed: outcome.events.slice(1) };
}

/** Decides a question named by ids, on rows read now (the token endpoint, the AuthZEN API). */
export async function evaluate(input: EvaluateInput): Promise<PdpDecision> {
  for (let attempt = 0; ; attempt++) {
    const recorded = await decideRecorded(await loadSubject(input));
    if (recorded.status === "decided") return recorded.decision;
    if (attempt >= MAX_STALE_RETRIES) throw new Error("The organisation's policy kept changing while this was decided: try again.");
  }
}

/** Several questions, decided one after the other (each with its own audit event). */
export async function evaluateMany(inputs: readonly EvaluateInput[]): Promise<PdpDecision[]> {
  const out: PdpDecision[] = [];
  for (const input of inputs) out.push(await evaluate(input));
  return out;
}

/** The subject of a question named by ids: rows read now, or this process's copies at the newest version it knows when `cached`. */
export async function loadSubject(input: EvaluateInput, opts: { cached?: boolean } = {}): Promise<DecisionSubject> {
  const cached = opts.cached === true;
  const df = input.delegationId ? await delegationFacts(input.tenantId, input.delegationId, { cached }) : null;
  // Another tenant's rows are treated as absent: the answer must not tell them apart from unknown ids.
  const mine = df && df.tenantId === input.tenantId ? df : null;
  const af =
    df && df.agent.id === input.agentId
      ? { agent: df.agent, policyVersion: df.policyVersion }
      : input.agentId
        ? await agentFacts({ id: input.agentId }, { cached: false })
        : null;
  const agent = af && af.agent.tenantId === input.tenantId ? af.agent : null;
  // An agent naming another organisation's delegation: it is refused as unknown, and containment hears of it.
  if (df && !mine && agent && !input.advisory)
    await observeUnauthorized({
      tenantId: input.tenantId,
      agentId: agent.id,
      delegationId: input.delegationId,
      connectionId: null,
      code: "foreign_delegation",
    });
  let connection = mine && mine.connection.tenantId === input.tenantId ? mine.connection : null;
  if (input.serviceAccountId !== undefined) {
    const sa = connection ? await connectionFacts(input.serviceAccountId) : null;
    connection = sa && sa.isServiceAccount && sa.tenantId === input.tenantId && sa.provider === connection!.provider ? sa : null;
  }
  return {
    tenantId: input.tenantId,
    // Only a version of this tenant means anything to its audit chain; an answer about nothing of it needs none.
    policyVersion: mine?.policyVersion ?? (agent ? af!.policyVersion : undefined),
    agent,
    delegation: mine?.delegation ?? null,
    delegationId: input.delegationId,
    connection,
    ...(input.serviceAccountId !== undefined ? { serviceAccount: { id: input.serviceAccountId } } : {}),
    action: input.action,
    actorArn: input.actorArn,
    requestId: input.requestId,
    advisory: input.advisory,
  };
}

function auditDetails(s: DecisionSubject, decision: PdpDecision): Record<string, unknown> {
  const { action } = s;
  const what =
    action.kind === "tool"
      ? { tool: action.tool.slice(0, 100) }
      : action.kind === "proxy"
        ? // The path only, never a query string or fragment (they may carry tokens).
          { method: action.method, path: action.path.split(/[?#]/, 1)[0]!.slice(0, 300) }
        : {};
  return {
    kind: action.kind,
    ...what,
    ...(action.scopes?.length ? { scopes: action.scopes.slice(0, 50) } : {}),
    layer: decision.layer,
    code: decision.code,
    ...(s.advisory ? { advisory: true } : {}),
    ...(s.serviceAccount ? { credential: "service_account", serviceAccountId: s.serviceAccount.id } : {}),
    ...(s.requestId ? { requestId: s.requestId.slice(0, 200) } : {}),
  };
}
