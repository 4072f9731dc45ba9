import "server-only";
// Answers AuthZEN evaluations (lib/pdp/authzen.ts) for the /access/v1 routes: who may ask about whom,
// resolving the subject's client_id inside the caller's tenant, and handing each question to the
// PDP as advisory (decided and audited, but not counted against a rate limit: nothing is done).
import { getDb } from "@/lib/db";
import { BadRequestError, ForbiddenError } from "@/lib/errors";
import {
  fromPdpDecision,
  isQuestion,
  resolveEvaluations,
  toPdpQuestion,
  unanswerable,
  type EvaluationRequest,
  type EvaluationResponse,
  type EvaluationsRequest,
  type EvaluationsResponse,
} from "@/lib/pdp/authzen";
import { evaluate } from "@/lib/pdp/evaluate";
import type { Person } from "@/lib/tenancy/people";

/** An agent (with its own access token) or a tenant administrator (with a portal session). */
export type AccessCaller = { kind: "agent"; tenantId: string; agent: { id: string; clientId: string } } | { kind: "admin"; tenantId: string; person: Person };

export async function answerEvaluation(caller: AccessCaller, req: EvaluationRequest, requestId: string): Promise<EvaluationResponse> {
  assertOwnSubject(caller, [req]);
  return decideOne(caller, req, requestId);
}

export async function answerEvaluations(caller: AccessCaller, req: EvaluationsRequest, requestId: string): Promise<EvaluationsResponse | EvaluationResponse> {
  const resolved = resolveEvaluations(req);
  if (!resolved.ok) throw new BadRequestError(resolved.detail);
  // Checked for every item before any is decided: a batch asking about another agent decides nothing.
  assertOwnSubject(caller, resolved.items);
  // Without items the batch is a single evaluation and is answered like one (AuthZEN 1.0).
  if (!req.evaluations?.length) return decideOne(caller, resolved.items[0]!, requestId);
  const semantic = req.options?.evaluations_semantic ?? "execute_all";
  const evaluations: EvaluationResponse[] = [];
  for (const item of resolved.items) {
    const answer = await decideOne(caller, item, requestId);
    evaluations.push(answer);
    if (semantic === "deny_on_first_deny" && !answer.decision) break;
    if (semantic === "permit_on_first_permit" && answer.decision) break;
  }
  return { evaluations };
}

/** An agent asks about itself only; an administrator about any agent of the tenant. */
function assertOwnSubject(caller: AccessCaller, items: readonly EvaluationRequest[]): void {
  if (caller.kind !== "agent") return;
  const other = items.find((i) => i.subject.type === "agent" && i.subject.id !== caller.agent.clientId);
  if (other) throw new ForbiddenError("An agent may only ask about itself: set subject.id to your own client_id.");
}

async function decideOne(caller: AccessCaller, req: EvaluationRequest, requestId: string): Promise<EvaluationResponse> {
  const question = toPdpQuestion(req);
  if (!isQuestion(question)) return unanswerable(question);
  const agentId = caller.kind === "agent" ? caller.agent.id : await agentIdInTenant(caller.tenantId, question.clientId);
  const decision = await evaluate({
    tenantId: caller.tenantId,
    // An unknown client_id (or another tenant's) matches no agent: the PDP answers agent_unknown and audits it.
    agentId: agentId ?? "",
    delegationId: question.delegationId,
    action: question.action,
    requestId,
    advisory: true,
  });
  return fromPdpDecision(decision);
}

async function agentIdInTenant(tenantId: string, clientId: string): Promise<string | null> {
  const db = await getDb();
  const agent = await db.agent.findFirst({ where: { tenantId, clientId }, select: { id: true } });
  return agent?.id ?? null;
}
