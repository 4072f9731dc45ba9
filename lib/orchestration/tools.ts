import "server-only";
// Tools for agents (GET /api/v1/tools, POST /api/v1/tools/{name}, and MCP): named operations with a
// strict input schema, one provider request each, and an output projection so only declared fields
// ever leave the vault. A provider answer that does not fit the declared output is refused (502),
// never passed through.
import { describeIssues } from "@/lib/describe-issues";
import type { DelegationCaller } from "@/lib/oauth-server/bearer";
import { allowedRequestHeaders, buildUpstreamUrl, encodeBody } from "@/lib/orchestration/proxy-request";
import { mcpToolName, restToolName } from "@/lib/mcp/tool-names";
import { findToolDefinition } from "@/lib/providers";
import { projectOutput, toolInputJsonSchema, type ToolDefinition } from "@/lib/tools/tool";

import { toolRequest } from "@/lib/approvals/request";

import { actionContext, type CredentialKind } from "./credential";
import { VaultError } from "@/lib/errors";
import { actionInFlight } from "./in-flight";
import { auditFailure, completeAction, performCall, type ActionOptions, type BuildRequest } from "./perform";

/** `name` is the catalogue's dotted name; `mcpName` the same tool's name on the MCP surface (lib/mcp/tool-names.ts). */
export type ToolListing = { name: string; mcpName: string; title: string; description: string; inputSchema: object };
export type ToolResult = { output: unknown; receipt: string; credential: CredentialKind };

/** The tools this delegation may call: delegated ∩ the agent's ceiling ∩ the connection's provider. */
export function listToolsFor(caller: DelegationCaller): ToolListing[] {
  const ctx = actionContext(caller);
  const ceiling = new Set(ctx.ceiling.tools);
  return ctx.delegation.tools
    .map((name) => findToolDefinition(name))
    .filter((tool): tool is ToolDefinition => tool !== undefined && ceiling.has(tool.name) && tool.provider === ctx.person.provider)
    .map((tool) => ({
      name: tool.name,
      mcpName: mcpToolName(tool.name),
      title: tool.title,
      description: tool.description,
      inputSchema: toolInputJsonSchema(tool),
    }));
}

function parseInput(tool: ToolDefinition, input: unknown): unknown {
  const parsed = tool.input.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  throw new VaultError(400, "invalid_tool_input", describeIssues(parsed.error.issues, "tool input"));
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) as unknown };
  } catch {
    return { ok: false };
  }
}

export function runTool(caller: DelegationCaller, name: string, input: unknown, opts: ActionOptions): Promise<ToolResult> {
  return actionInFlight(() => toolOnce(caller, name, input, opts));
}

/** The definition behind a tool name in either form (`demo-tasks.list_tasks` or `demo_tasks__list_tasks`). */
function toolNamed(name: string): ToolDefinition {
  const resolved = restToolName(name);
  if (!resolved.ok && resolved.reason === "ambiguous") {
    throw new VaultError(
      400,
      "tool_name_ambiguous",
      `The name "${name.slice(0, 100)}" fits several tools (${resolved.candidates.join(", ")}): call the tool by its dotted name.`,
    );
  }
  const tool = resolved.ok ? findToolDefinition(resolved.name) : undefined;
  if (!tool)
    throw new VaultError(404, "tool_unknown", `There is no tool named "${name.slice(0, 100)}": GET /api/v1/tools lists the tools this delegation may call.`);
  return tool;
}

async function toolOnce(caller: DelegationCaller, name: string, input: unknown, opts: ActionOptions): Promise<ToolResult> {
  const tool = toolNamed(name);
  const args = parseInput(tool, input);
  const spec = tool.request(args as never);

  const build: BuildRequest = (def, connection) => {
    const headers = allowedRequestHeaders({ accept: "application/json", ...spec.headers });
    const encoded = encodeBody(spec.method, spec.body);
    if (encoded.contentType) headers["content-type"] = encoded.contentType;
    return { method: spec.method, path: spec.path, url: buildUpstreamUrl(def, connection.metadata, spec.path, spec.query), headers, body: encoded.bytes };
  };
  const run = await performCall(caller, { kind: "tool", tool: tool.name }, build, opts, toolRequest(tool.name, args, spec));
  const { status, body } = run.response;

  if (status < 200 || status > 299) {
    await auditFailure(run, "provider_error", status);
    throw new VaultError(
      502,
      "provider_error",
      `${tool.provider} answered this call with HTTP ${status}; the vault does not relay the provider's error body.`,
      { providerStatus: status },
    );
  }
  const parsed = parseJson(body);
  let output: unknown;
  try {
    if (!parsed.ok) throw new Error("not JSON");
    output = projectOutput(tool, parsed.value, status, args);
  } catch {
    await auditFailure(run, "provider_unexpected_answer", status);
    throw new VaultError(
      502,
      "provider_unexpected_answer",
      `${tool.provider}'s answer did not have the shape this tool declares, so nothing of it is returned: try again, or use the raw proxy.`,
    );
  }
  const { receipt } = await completeAction(run, output, "success");
  return { output, receipt, credential: run.credential.kind };
}
