// POST /api/v1/proxy - one call to the delegation's provider API with the person's credential, which
// the agent never sees: { method, path, query?, headers?, body? } -> { status, headers, data, encoding,
// credential, receipt }. SSRF forms in the path are refused with 400 before anything is sent.
import { runProxy } from "@/lib/orchestration/proxy";
import { withBearer } from "@/lib/http/bearer-route";
import { proxyRequestBody } from "@/lib/orchestration/proxy-request";

export const dynamic = "force-dynamic";

export const POST = withBearer({ accept: ["delegation"], body: proxyRequestBody, acts: true }, async ({ caller, body, requestId }) =>
  runProxy(caller, body, { requestId }),
);
