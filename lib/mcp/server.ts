import "server-only";
// One MCP server per request, bound to the caller a delegation token proved: tools/list shows the
// tools of that delegation by their MCP names (lib/mcp/tool-names.ts), with their input and output
// JSON Schemas and hints; tools/call runs one through the same path as POST /api/v1/tools/{name}
// (PDP, orchestration, audit, receipt). The server announces tools without listChanged: it never
// sends notifications/tools/list_changed (each request gets a fresh server, and a changed grant
// shows in the next tools/list). Failures come back as tool results with `isError` (MCP "Error
// Handling": the model can read them and adjust), carrying the sentence and the stable code; nothing
// from a provider credential is ever part of an answer.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";

import { VaultError } from "@/lib/errors";
import { listToolsFor, runTool } from "@/lib/orchestration/tools";
import { log } from "@/lib/log";
import type { DelegationCaller } from "@/lib/oauth-server/bearer";

import { toMcpTool, toolOutputSchema } from "./tool-metadata";
import { restToolName } from "./tool-names";

/** `_meta` key of the signed receipt on every successful tool result. */
export const RECEIPT_META_KEY = "tokenvault/receipt";
/** `_meta` key of `{ code, status, ...extensions }` on every failed tool result. */
export const ERROR_META_KEY = "tokenvault/error";

const SERVER_INFO = { name: "token-vault", title: "Token Vault", version: "1.0.0" };
const INSTRUCTIONS =
  "Each tool acts for the person who delegated access, on their connected account, within what they granted. " +
  "Every successful result carries a signed receipt in _meta['tokenvault/receipt'].";

/**
 * `callers`: one per delegation behind the token (a delegation token has one; an MCP client's token
 * has one per connection the person gave it). Tool names are unique across them: a consent gives
 * one connection per provider, and a tool's name begins with its provider.
 */
export function createMcpServer(callers: readonly DelegationCaller[], opts: { requestId: string }): McpServer {
  const caller = callers[0]!;
  const mcp = new McpServer(SERVER_INFO, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });
  // McpServer announces listChanged: true for the tools it manages itself; these handlers replace its own, and notify nothing.
  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  // The low-level handlers pass the tools' JSON Schemas through as they are; McpServer.registerTool wants zod shapes.
  mcp.server.setRequestHandler(ListToolsRequestSchema, async () => {
    try {
      return { tools: callers.flatMap((c) => listToolsFor(c)).map(toMcpTool) };
    } catch (error) {
      // A refusal (the delegation went away since the token was checked) is a sentence the agent may read.
      if (error instanceof VaultError) throw new McpError(ErrorCode.InvalidRequest, error.message, { code: error.code, status: error.status });
      log.error({ err: error, requestId: opts.requestId, delegationId: caller.delegationId }, "MCP tools/list failed");
      throw new McpError(
        ErrorCode.InternalError,
        `The tools of this delegation could not be listed: try again, and report request ${opts.requestId} if it keeps happening.`,
      );
    }
  });
  mcp.server.setRequestHandler(CallToolRequestSchema, async (request) => {
    const name = request.params.name;
    const resolved = restToolName(name);
    // The delegation that lists the tool; otherwise the first, whose refusal says the tool is not delegated.
    const owner = (resolved.ok && callers.find((c) => listToolsFor(c).some((t) => t.name === resolved.name))) || caller;
    return callTool(owner, name, request.params.arguments ?? {}, opts.requestId);
  });
  return mcp;
}

async function callTool(caller: DelegationCaller, name: string, input: unknown, requestId: string): Promise<CallToolResult> {
  // The MCP name as listed; runTool takes the catalogue's name (and refuses what resolves to none).
  const resolved = restToolName(name);
  const tool = resolved.ok ? resolved.name : name;
  try {
    const { output, receipt } = await runTool(caller, tool, input, { requestId, channel: "mcp" });
    return {
      content: [{ type: "text", text: JSON.stringify(output) }],
      // Structured only where tools/list published an output schema (an object one), which it then fits.
      ...(isObject(output) && toolOutputSchema(tool) ? { structuredContent: output } : {}),
      _meta: { [RECEIPT_META_KEY]: receipt },
    };
  } catch (error) {
    if (error instanceof VaultError) return toolError(error.message, error.code, error.status, error.extensions);
    // Unknown failures may carry internals; logged (the logger redacts tokens), never sent.
    log.error({ err: error, requestId, delegationId: caller.delegationId, tool: name }, "MCP tools/call failed");
    return toolError(`Something went wrong on our side: try again, and report request ${requestId} if it keeps happening.`, "internal_error", 500);
  }
}

function toolError(sentence: string, code: string, status: number, extensions: Readonly<Record<string, string | number | boolean>> = {}): CallToolResult {
  return {
    isError: true,
    content: [{ type: "text", text: `${sentence} (code: ${code})` }],
    // The same members as the problem+json of POST /api/v1/tools/{name}; code and status cannot be overwritten.
    _meta: { [ERROR_META_KEY]: { ...extensions, code, status } },
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
