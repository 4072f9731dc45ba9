// The PDP in the OpenID AuthZEN Authorization API 1.0 shape (CONTRACT.md, "Policy decision point"),
// so any AuthZEN-speaking enforcement point can ask the vault. Pure: schemas and the mapping between
// AuthZEN's subject/action/resource and the PDP's own question and answer.
//
// Mapping (anything else is answered `decision: false` with a reason, never an error):
//   subject   { type: "agent", id: <the agent's client_id> }
//   resource  { type: "delegation", id: <the delegation id> }
//   action    { name: "exchange" }                                         a delegation token may be issued now
//             { name: "tool", properties: { name: "demo-tasks.list_tasks" } } the tool may be called
//               (the MCP name, demo_tasks__list_tasks, names the same tool; the dotted one is deprecated)
//             { name: "proxy", properties: { method: "GET", path: "/tasks" } } the raw proxy call may be made
//   Every action may add properties.scopes (a list) to ask about a narrower set of scopes.
//   context   accepted and ignored (the vault decides on its own facts, not on what the caller says).
// Answer: { decision, context: { code, layer, reason_admin: { en }, scopes? } }.
// Batch (/access/v1/evaluations): top-level subject, action, resource and context are defaults each
// item replaces whole; options.evaluations_semantic is execute_all (default), deny_on_first_deny or
// permit_on_first_permit; without items the request is a single evaluation and gets a single answer.
import { z } from "zod";
import { restToolName } from "@/lib/mcp/tool-names";
import type { PdpAction, PdpDecision } from "@/lib/pdp/types";
import { HTTP_METHODS, type HttpMethod } from "@/lib/tools/tool";

const properties = z.record(z.string(), z.unknown());

export const authzenEntity = z.object({
  type: z.string().trim().min(1).max(100),
  id: z.string().trim().min(1).max(300),
  properties: properties.optional(),
});

export const authzenAction = z.object({
  name: z.string().trim().min(1).max(100),
  properties: properties.optional(),
});

export const authzenContext = properties;

export const evaluationRequest = z.object({
  subject: authzenEntity,
  action: authzenAction,
  resource: authzenEntity,
  context: authzenContext.optional(),
});
export type EvaluationRequest = z.output<typeof evaluationRequest>;

export const EVALUATIONS_SEMANTICS = ["execute_all", "deny_on_first_deny", "permit_on_first_permit"] as const;
export const MAX_EVALUATIONS = 100;

const evaluationItem = z.object({
  subject: authzenEntity.optional(),
  action: authzenAction.optional(),
  resource: authzenEntity.optional(),
  context: authzenContext.optional(),
});

export const evaluationsRequest = evaluationItem.extend({
  evaluations: z.array(evaluationItem).max(MAX_EVALUATIONS, `must hold at most ${MAX_EVALUATIONS} evaluations`).optional(),
  options: z
    .object({ evaluations_semantic: z.enum(EVALUATIONS_SEMANTICS).optional() })
    .catchall(z.unknown())
    .optional(),
});
export type EvaluationsRequest = z.output<typeof evaluationsRequest>;

export const evaluationResponse = z.object({
  decision: z.boolean(),
  context: z
    .object({
      code: z.string(),
      layer: z.string().optional(),
      reason_admin: z.record(z.string(), z.string()).optional(),
      reason_user: z.record(z.string(), z.string()).optional(),
      scopes: z.array(z.string()).optional(),
    })
    .optional(),
});
export type EvaluationResponse = z.output<typeof evaluationResponse>;

export const evaluationsResponse = z.object({ evaluations: z.array(evaluationResponse) });
export type EvaluationsResponse = z.output<typeof evaluationsResponse>;

/** The batch's items with the top-level defaults applied, or a sentence naming the first incomplete item. */
export function resolveEvaluations(req: EvaluationsRequest): { ok: true; items: EvaluationRequest[] } | { ok: false; detail: string } {
  const raw = req.evaluations && req.evaluations.length > 0 ? req.evaluations : [{}];
  const items: EvaluationRequest[] = [];
  for (const [i, item] of raw.entries()) {
    const merged = {
      subject: item.subject ?? req.subject,
      action: item.action ?? req.action,
      resource: item.resource ?? req.resource,
      context: item.context ?? req.context,
    };
    const missing = (["subject", "action", "resource"] as const).filter((k) => !merged[k]);
    if (missing.length > 0) {
      const where = req.evaluations?.length ? `Evaluation ${i}` : "The request";
      return { ok: false, detail: `${where} has no ${missing.join(", ")} and the request gives no default: send ${missing.join(", ")}.` };
    }
    items.push(merged as EvaluationRequest);
  }
  return { ok: true, items };
}

export type PdpQuestion = { clientId: string; delegationId: string; action: PdpAction };
export type Unanswerable = { code: "unsupported_subject" | "unsupported_resource" | "unsupported_action" | "invalid_action"; reason: string };

/** The PDP's question behind an AuthZEN evaluation, or why the vault cannot answer it. */
export function toPdpQuestion(req: EvaluationRequest): PdpQuestion | Unanswerable {
  if (req.subject.type !== "agent")
    return { code: "unsupported_subject", reason: `The vault decides for subjects of type "agent" (by client_id), not "${req.subject.type}".` };
  if (req.resource.type !== "delegation")
    return { code: "unsupported_resource", reason: `The vault decides about resources of type "delegation" (by id), not "${req.resource.type}".` };
  const props = req.action.properties ?? {};
  const scopes = props.scopes;
  if (
    scopes !== undefined &&
    !(Array.isArray(scopes) && scopes.length <= 50 && scopes.every((s) => typeof s === "string" && s.length > 0 && s.length <= 200))
  ) {
    return { code: "invalid_action", reason: "action.properties.scopes must be a list of scope names." };
  }
  const extra = scopes === undefined ? {} : { scopes: scopes as string[] };
  const base = { clientId: req.subject.id, delegationId: req.resource.id };
  switch (req.action.name) {
    case "exchange":
      return { ...base, action: { kind: "exchange", ...extra } };
    case "tool": {
      const name = props.name;
      if (typeof name !== "string" || !name.trim() || name.length > 100)
        return { code: "invalid_action", reason: 'A "tool" action needs properties.name, the tool\'s name (like "demo_tasks__list_tasks").' };
      const resolved = restToolName(name.trim());
      if (!resolved.ok && resolved.reason === "ambiguous")
        return { code: "invalid_action", reason: `The name "${name.trim()}" fits several tools (${resolved.candidates.join(", ")}): send the dotted name.` };
      // A name no tool has goes to the PDP as it came, which refuses it (tool_not_allowed) and records that.
      return { ...base, action: { kind: "tool", tool: resolved.ok ? resolved.name : name.trim(), ...extra } };
    }
    case "proxy": {
      const method = typeof props.method === "string" ? props.method.toUpperCase() : "";
      const path = props.path;
      if (!(HTTP_METHODS as readonly string[]).includes(method))
        return { code: "invalid_action", reason: `A "proxy" action needs properties.method, one of ${HTTP_METHODS.join(", ")}.` };
      if (typeof path !== "string" || !path.startsWith("/") || path.length > 2000)
        return { code: "invalid_action", reason: 'A "proxy" action needs properties.path, an absolute path like "/tasks".' };
      return { ...base, action: { kind: "proxy", method: method as HttpMethod, path, ...extra } };
    }
    default:
      return { code: "unsupported_action", reason: `The vault decides the actions "exchange", "tool" and "proxy", not "${req.action.name}".` };
  }
}

export function isQuestion(q: PdpQuestion | Unanswerable): q is PdpQuestion {
  return "action" in q;
}

export function fromPdpDecision(d: PdpDecision): EvaluationResponse {
  return {
    decision: d.decision === "allow",
    context: { code: d.code, layer: d.layer, reason_admin: { en: d.reason }, ...(d.scopes ? { scopes: d.scopes } : {}) },
  };
}

export function unanswerable(u: Unanswerable): EvaluationResponse {
  return { decision: false, context: { code: u.code, reason_admin: { en: u.reason } } };
}
