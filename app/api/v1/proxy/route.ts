// POST /api/v1/proxy - one call to the delegation's provider API with the person's credential, which
// the agent never sees: { method, path, query?, headers?, body? } -> { status, headers, data, encoding,
// credential, receipt }. SSRF forms in the path are refused with 400 before anything is sent. A request
// that needs the person's approval answers 202 { approval_id, status, expires_at } and is not sent.
import { APPROVAL_HEADER } from "@/lib/approvals/schemas";
import { orPending } from "@/lib/approvals/pending";
import { runProxy } from "@/lib/orchestration/proxy";
import { withBearer } from "@/lib/http/bearer-route";
import { proxyRequestBody } from "@/lib/orchestration/proxy-request";

export const dynamic = "force-dynamic";

export const POST = withBearer({ accept: ["delegation"], body: proxyRequestBody, acts: true }, async ({ caller, body, req, requestId }) =>
  orPending(() => runProxy(caller, body, { requestId, approvalReference: req.headers.get(APPROVAL_HEADER)?.trim().slice(0, 100) })),
);
