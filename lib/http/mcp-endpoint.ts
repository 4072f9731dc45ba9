import "server-only";
// POST /api/mcp, stateless Streamable HTTP: every request proves a delegation token, gets a fresh
// MCP server bound to that caller, and is answered with plain JSON (no session, no SSE stream).
// The bearer token is checked here and goes no further: the MCP server, its handlers and the
// providers never see it. Pages of the origins in VAULT_MCP_ALLOWED_ORIGINS may call it (CORS,
// lib/http/cors.ts); every answer, refusals included, carries their grant, so a browser-based client
// can read a 401's challenge.
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";

import { requestIdOf } from "@/lib/http/bearer-route";
import { allowedOrigin, corsPreflight, withCors } from "@/lib/http/cors";
import { problem, unavailableProblem } from "@/lib/http/problem";
import { log } from "@/lib/log";
import { BearerError } from "@/lib/oauth-server/bearer";
import { vaultIssuer } from "@/lib/oauth-server/issuer";

import { authenticateMcp, WrongTokenKind, type McpCallers } from "@/lib/mcp/callers";
import { mcpChallenge } from "@/lib/mcp/resource";
import { createMcpServer } from "@/lib/mcp/server";

const MAX_BODY_BYTES = 1024 * 1024;

export async function handleMcpPost(req: Request): Promise<Response> {
  const requestId = requestIdOf(req);
  let response: Response;
  try {
    response = await answer(req, requestId);
  } catch (error) {
    const down = unavailableProblem(error, { requestId });
    if (!down) log.error({ err: error, requestId }, "MCP request failed");
    response =
      down ??
      problem({
        status: 500,
        code: "internal_error",
        title: "Internal error",
        detail: `Something went wrong on our side: try again, and report request ${requestId} if it keeps happening.`,
      });
  }
  response.headers.set("x-request-id", requestId);
  response.headers.set("cache-control", "no-store");
  return withCors(req, response);
}

/** GET (a server-sent event stream) and DELETE (end a session) have no meaning on a stateless server. */
export function mcpMethodNotAllowed(req: Request): Response {
  const response = problem({
    status: 405,
    code: "method_not_allowed",
    title: "Method not allowed",
    detail: "This MCP server is stateless and answers in JSON: send JSON-RPC messages with POST.",
    headers: { allow: "POST" },
  });
  // A browser-based client must be able to read the 405 to know there is no stream to open.
  return withCors(req, response);
}

/** OPTIONS: the CORS preflight of a browser-based MCP client. */
export function mcpPreflight(req: Request): Response {
  return corsPreflight(req, ["POST", "GET", "DELETE"]);
}

async function answer(req: Request, requestId: string): Promise<Response> {
  // DNS rebinding defence (MCP "Streamable HTTP", Security Warning): a page on another site that
  // resolves to this host sends its own Origin. Agents outside a browser send none and pass; so do
  // the portal's own pages and those of the origins an operator allowed.
  const origin = req.headers.get("origin");
  if (origin !== null && origin !== vaultIssuer() && !allowedOrigin(origin)) {
    return problem({
      status: 403,
      code: "origin_mismatch",
      title: "Request from another site",
      detail: "MCP requests from a web page are accepted only from the portal's own origin and those listed in VAULT_MCP_ALLOWED_ORIGINS.",
    });
  }

  let callers: McpCallers;
  try {
    callers = await authenticateMcp(req);
  } catch (error) {
    if (error instanceof WrongTokenKind) {
      return problem({
        status: 403,
        code: "wrong_token_kind",
        title: "Wrong kind of token",
        detail: error.detail,
        headers: { "www-authenticate": mcpChallenge({ code: "insufficient_scope", description: error.detail }) },
      });
    }
    if (!(error instanceof BearerError)) throw error;
    const challenge = error.code === "token_missing" ? mcpChallenge() : mcpChallenge({ code: "invalid_token", description: error.detail });
    return problem({ status: 401, code: error.code, title: "Access token refused", detail: error.detail, headers: { "www-authenticate": challenge } });
  }

  const server = createMcpServer(callers.callers, { requestId });
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    maxRequestBodySize: MAX_BODY_BYTES,
  });
  try {
    await server.connect(transport);
    // With JSON responses the answer is complete when this resolves, so the server can close after it.
    return await transport.handleRequest(req);
  } finally {
    await server.close();
  }
}
