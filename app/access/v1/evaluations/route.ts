// POST /access/v1/evaluations - several AuthZEN 1.0 access evaluations in one call, with top-level
// defaults and options.evaluations_semantic; each is decided and audited on its own.
import { answerEvaluations } from "@/lib/pdp/access";
import { withAccessCaller } from "@/lib/http/access-route";
import { evaluationsRequest } from "@/lib/pdp/authzen";

export const POST = withAccessCaller(evaluationsRequest, ({ caller, body, requestId }) => answerEvaluations(caller, body, requestId));
