import "server-only";
// One MCP server per request, bound to the caller a delegation token proved: tools/list shows the
// tools of that delegation by their MCP names (lib/mcp/tool-names.ts), with their input and output
// JSON Schemas and hints; tools/call runs one through the same path as POST /api/v1/tools/{name}
// (PDP, orchestration, audit, receipt). The server announces tools without listChanged: it never
// sends notifications/tools/list_changed (each request gets a fresh server, and a changed grant
// shows in the next tools/list). Failures come back as tool results with `isError` (MCP "Error
// Handling": the model can read them and adjust), carrying the sentence and the stable code; a call
// held for the person's approval says so, with the approval to poll in _meta; nothing
// from a provider credential is ever part of an answer.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";

import { ApprovalPending } from "@/lib/approvals/pending";
import { VaultError } from "@/lib/errors";
import { listToolsFor, runTool, type ToolListing } from "@/lib/orchestration/tools";
import { log } from "@/lib/log";
import type { DelegationCaller } from "@/lib/oauth-server/bearer";

import { toMcpTool, toolOutputSchema } from "./tool-metadata";
import { accountTag, mcpToolNameOn, restToolName } from "./tool-names";

/** `_meta` key of the signed receipt on every successful tool result. */
export const RECEIPT_META_KEY = "tokenvault/receipt";
/** `_meta` key of `{ code, status, ...extensions }` on every failed tool result. */
export const ERROR_META_KEY = "tokenvault/error";
/** `_meta` key of `{ approval_id, status, expires_at, url }` on a call that waits for the person's approval. */
export const APPROVAL_META_KEY = "tokenvault/approval";
/** A call's `_meta` key naming the approval a retry relies on (like the REST routes' X-Approval-Id). */
export const APPROVAL_ID_META_KEY = "tokenvault/approval_id";

const SERVER_INFO = { name: "token-vault", title: "Token Vault", version: "1.0.0" };
const INSTRUCTIONS =
  "Each tool acts for the person who delegated access, on their connected account, within what they granted. " +
  "Every successful result carries a signed receipt in _meta['tokenvault/receipt'].";

/** A tool as this session lists it: its MCP name, the delegation it runs on, the catalogue's listing. */
type SessionTool = { mcpName: string; caller: DelegationCaller; tool: ToolListing };

/**
 * The session's tools, by MCP name. A tool's name begins with its provider, so names are unique
 * while each provider has one connection; when a person gave the client several connections to one
 * provider (a work and a personal account), each connection's tools carry its account in the name
 * (`github_alice__list_repos`, `github_alice_work__list_repos`; the connection id's first characters
 * where accounts look alike) and in the title, so neither hides the other.
 */
export function sessionTools(callers: readonly DelegationCaller[]): Map<string, SessionTool> {
  const byProvider = new Map<string, DelegationCaller[]>();
  for (const c of callers) byProvider.set(c.facts.connection.provider, [...(byProvider.get(c.facts.connection.provider) ?? []), c]);
  const table = new Map<string, SessionTool>();
  for (const group of byProvider.values()) {
    if (group.length === 1) {
      for (const tool of listToolsFor(group[0]!)) table.set(tool.mcpName, { mcpName: tool.mcpName, caller: group[0]!, tool });
      continue;
    }
    const tags = group.map((c) => accountTag(c.facts.connection.label));
    const distinct = tags.every((t, i) => t !== "" && tags.indexOf(t) === i);
    group.forEach((c, i) => {
      const idTag = c.connectionId
        .replace(/[^A-Za-z0-9]/g, "")
        .slice(0, 8)
        .toLowerCase();
      for (const listed of listToolsFor(c)) {
        const mcpName = (distinct && mcpToolNameOn(listed.name, tags[i]!)) || mcpToolNameOn(listed.name, idTag);
        if (!mcpName || table.has(mcpName)) continue;
        const label = c.facts.connection.label;
        table.set(mcpName, { mcpName, caller: c, tool: { ...listed, title: `${listed.title} (${label})`, description: `On ${label}: ${listed.description}` } });
      }
    });
  }
  return table;
}

/**
 * `callers`: one per delegation behind the token (a delegation token has one; an MCP client's token
 * has one per connection the person gave it); sessionTools names their tools apart.
 */
export function createMcpServer(callers: readonly DelegationCaller[], opts: { requestId: string }): McpServer {
  const caller = callers[0]!;
  const mcp = new McpServer(SERVER_INFO, { capabilities: { tools: { listChanged: false } }, instructions: INSTRUCTIONS });
  // McpServer announces listChanged: true for the tools it manages itself; these handlers replace its own, and notify nothing.
  mcp.server.registerCapabilities({ tools: { listChanged: false } });
  // The low-level handlers pass the tools' JSON Schemas through as they are; McpServer.registerTool wants zod shapes.
  mcp.server.setRequestHandler(ListToolsRequestSchema, async () => {
    try {
      return { tools: [...sessionTools(callers).values()].map((t) => toMcpTool(t.tool, t.mcpName)) };
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
    const reference = request.params._meta?.[APPROVAL_ID_META_KEY];
    const call = { requestId: opts.requestId, approvalReference: typeof reference === "string" ? reference.slice(0, 100) : null };
    const listed = sessionTools(callers).get(name);
    if (listed) return callTool(listed.caller, listed.tool.name, request.params.arguments ?? {}, call);
    const resolved = restToolName(name);
    // A name not listed (a dotted name, or one not delegated): the delegation that lists the tool,
    // otherwise the first, whose refusal says the tool is not delegated.
    const owner = (resolved.ok && callers.find((c) => listToolsFor(c).some((t) => t.name === resolved.name))) || caller;
    return callTool(owner, name, request.params.arguments ?? {}, call);
  });
  return mcp;
}

async function callTool(
  caller: DelegationCaller,
  name: string,
  input: unknown,
  { requestId, approvalReference }: { requestId: string; approvalReference: string | null },
): Promise<CallToolResult> {
  // The MCP name as listed; runTool takes the catalogue's name (and refuses what resolves to none).
  const resolved = restToolName(name);
  const tool = resolved.ok ? resolved.name : name;
  try {
    const { output, receipt } = await runTool(caller, tool, input, { requestId, channel: "mcp", ...(approvalReference ? { approvalReference } : {}) });
    return {
      content: [{ type: "text", text: JSON.stringify(output) }],
      // Structured only where tools/list published an output schema (an object one), which it then fits.
      ...(isObject(output) && toolOutputSchema(tool) ? { structuredContent: output } : {}),
      _meta: { [RECEIPT_META_KEY]: receipt },
    };
  } catch (error) {
    if (error instanceof ApprovalPending) return pendingResult(error);
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

/**
 * Not done, and not failed: isError so that no client or model takes it for a result, with a sentence
 * that says what to do (wait for the person, then call again with the same arguments).
 */
function pendingResult({ approval }: ApprovalPending): CallToolResult {
  const text =
    `Not done yet: the person must approve this call first (approval ${approval.approval_id}, status ${approval.status}, until ${approval.expires_at}). ` +
    `They see it on the Approvals page of the portal; poll ${approval.url} with this token, and once it is approved call this tool again with exactly the same arguments.`;
  return { isError: true, content: [{ type: "text", text }], _meta: { [APPROVAL_META_KEY]: approval } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
