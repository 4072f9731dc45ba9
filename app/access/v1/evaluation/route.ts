// POST /access/v1/evaluation - one AuthZEN 1.0 access evaluation: may this agent do this with this
// delegation? Asked by the agent about itself (access token) or by a tenant administrator (session).
import { answerEvaluation } from "@/lib/pdp/access";
import { withAccessCaller } from "@/lib/http/access-route";
import { evaluationRequest } from "@/lib/pdp/authzen";

export const POST = withAccessCaller(evaluationRequest, ({ caller, body, requestId }) => answerEvaluation(caller, body, requestId));
