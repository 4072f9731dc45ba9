// POST /api/v1/tools/{name} - runs one tool for the person behind the delegation: { input } ->
// { output, credential, receipt }. Only the tool's declared output fields are returned. `name` is the
// MCP name (demo_tasks__list_tasks) or, deprecated, the dotted one (demo-tasks.list_tasks). A call that
// needs the person's approval answers 202 { approval_id, status, expires_at } and is not sent.
import { z } from "zod";

import { APPROVAL_HEADER } from "@/lib/approvals/schemas";
import { orPending } from "@/lib/approvals/pending";
import { runTool } from "@/lib/orchestration/tools";
import { withBearer } from "@/lib/http/bearer-route";

export const dynamic = "force-dynamic";

const params = z.object({ name: z.string().trim().min(1).max(100) });
// The input itself is checked against the tool's own schema (400 invalid_tool_input, naming the field).
const body = z.object({ input: z.unknown().optional() }).strict();

export const POST = withBearer({ accept: ["delegation"], body, params, acts: true }, async ({ caller, body, params, req, requestId }) =>
  orPending(() =>
    runTool(caller, params.name, body.input ?? {}, { requestId, channel: "api", approvalReference: req.headers.get(APPROVAL_HEADER)?.trim().slice(0, 100) }),
  ),
);
