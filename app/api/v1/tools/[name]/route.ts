// POST /api/v1/tools/{name} - runs one tool for the person behind the delegation: { input } ->
// { output, credential, receipt }. Only the tool's declared output fields are returned. `name` is the
// MCP name (demo_tasks__list_tasks) or, deprecated, the dotted one (demo-tasks.list_tasks).
import { z } from "zod";

import { runTool } from "@/lib/orchestration/tools";
import { withBearer } from "@/lib/http/bearer-route";

export const dynamic = "force-dynamic";

const params = z.object({ name: z.string().trim().min(1).max(100) });
// The input itself is checked against the tool's own schema (400 invalid_tool_input, naming the field).
const body = z.object({ input: z.unknown().optional() }).strict();

export const POST = withBearer({ accept: ["delegation"], body, params, acts: true }, async ({ caller, body, params, requestId }) =>
  runTool(caller, params.name, body.input ?? {}, { requestId, channel: "api" }),
);
