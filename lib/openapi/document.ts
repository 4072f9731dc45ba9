import "server-only";
// The OpenAPI 3.1 document of every agent-facing route (CONTRACT.md, "Discovery"), served at
// /api/openapi.json. AGENT_ROUTES names the route file behind each documented path; the test
// compares it with the route files under app/, so a new agent route cannot ship undocumented.
import { vaultIssuer } from "@/lib/oauth-server/issuer";

import { components } from "./components";
import type { JsonSchema } from "./schemas";
import { alertsPath } from "./alerts";
import { approvalHeader, approvalPath, pendingResponse } from "./approvals";
import { registrationPath } from "./registration";

export type HttpVerb = "get" | "post" | "put" | "patch" | "delete";
/** `preflight`: the file also answers OPTIONS, the CORS preflight of browser-based clients (lib/http/cors.ts), not an operation. */
export type AgentRoute = { path: string; file: string; methods: readonly HttpVerb[]; preflight?: true };

/** Every agent-facing route: its public path, the file that serves it, and the methods agents use. */
export const AGENT_ROUTES: readonly AgentRoute[] = [
  { path: "/api/oauth/token", file: "app/api/oauth/token/route.ts", methods: ["post"], preflight: true },
  { path: "/api/oauth/register", file: "app/api/oauth/register/route.ts", methods: ["post"], preflight: true },
  { path: "/api/v1/delegation", file: "app/api/v1/delegation/route.ts", methods: ["get"] },
  // POST (granting) is the portal's, with a session; agents only list.
  { path: "/api/v1/delegations", file: "app/api/v1/delegations/route.ts", methods: ["get"] },
  { path: "/api/v1/tools", file: "app/api/v1/tools/route.ts", methods: ["get"] },
  { path: "/api/v1/tools/{name}", file: "app/api/v1/tools/[name]/route.ts", methods: ["post"] },
  { path: "/api/v1/proxy", file: "app/api/v1/proxy/route.ts", methods: ["post"] },
  // Listing and deciding are the portal's, with a session; agents poll.
  { path: "/api/v1/approvals/{id}", file: "app/api/v1/approvals/[id]/route.ts", methods: ["get"] },
  { path: "/api/mcp", file: "app/api/mcp/route.ts", methods: ["post", "get", "delete"], preflight: true },
  { path: "/access/v1/evaluation", file: "app/access/v1/evaluation/route.ts", methods: ["post"] },
  { path: "/access/v1/evaluations", file: "app/access/v1/evaluations/route.ts", methods: ["post"] },
  { path: "/api/v1/status", file: "app/api/v1/status/route.ts", methods: ["get"] },
  { path: "/api/v1/alerts", file: "app/api/v1/alerts/route.ts", methods: ["get"] },
  { path: "/api/health", file: "app/api/health/route.ts", methods: ["get"] },
  { path: "/api/ping", file: "app/api/ping/route.ts", methods: ["get"] },
  { path: "/api/openapi.json", file: "app/api/openapi.json/route.ts", methods: ["get"] },
  { path: "/api/v1/event-schemas", file: "app/api/v1/event-schemas/route.ts", methods: ["get"] },
  { path: "/.well-known/oauth-authorization-server", file: "app/.well-known/oauth-authorization-server/route.ts", methods: ["get"], preflight: true },
  { path: "/.well-known/jwks.json", file: "app/.well-known/jwks.json/route.ts", methods: ["get"], preflight: true },
  { path: "/.well-known/authzen-configuration", file: "app/.well-known/authzen-configuration/route.ts", methods: ["get"], preflight: true },
  { path: "/.well-known/oauth-protected-resource", file: "app/.well-known/oauth-protected-resource/route.ts", methods: ["get"], preflight: true },
  {
    path: "/.well-known/oauth-protected-resource/api/mcp",
    file: "app/.well-known/oauth-protected-resource/api/mcp/route.ts",
    methods: ["get"],
    preflight: true,
  },
];

type Operation = JsonSchema & { responses: Record<string, unknown> };

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const json = (name: string, description: string, type = "application/json") => ({
  description,
  headers: { "X-Request-ID": { $ref: "#/components/headers/XRequestId" } },
  content: { [type]: { schema: schema(name) } },
});
const body = (name: string, type = "application/json") => ({ required: true, content: { [type]: { schema: schema(name) } } });
const requestId = { $ref: "#/components/parameters/XRequestId" };

const DELEGATION_TOKEN = [{ delegationToken: [] }];
// The same agent token, told two ways: as the bearer it is, and as the OAuth 2.0 flow that issues it.
const AGENT_TOKEN = [{ agentToken: [] }, { oauth2ClientCredentials: ["agent"] }];
// A delegation token, or the access token of an MCP client a person connected (aud = the MCP endpoint).
const MCP_TOKEN = [{ delegationToken: [] }, { oauth2AuthorizationCode: [] }];
const AGENT_OR_ADMIN = [{ agentToken: [] }, { oauth2ClientCredentials: ["agent"] }, { delegationToken: [] }, { portalSession: [] }];
const PUBLIC: never[] = [];
const ACTION_ERRORS = {
  "400": response("BadRequest"),
  "401": response("Unauthorized"),
  "403": response("Forbidden"),
  "404": response("NotFound"),
  "409": response("Conflict"),
  "502": response("ProviderError"),
  "503": response("AuditUnavailable"),
  "504": response("ProviderTimeout"),
};

function paths(): Record<string, Partial<Record<HttpVerb, Operation>>> {
  const discovery = (operationId: string, summary: string, name: string): Operation => ({
    operationId,
    summary,
    tags: ["discovery"],
    security: PUBLIC,
    responses: { "200": json(name, summary, name === "JsonWebKeySet" ? "application/jwk-set+json" : "application/json") },
  });
  return {
    "/api/oauth/token": {
      post: {
        operationId: "requestToken",
        summary: "Exchange a delegation id for a delegation token (RFC 8693), or get an agent token (client_credentials)",
        description:
          "Form-encoded. Client authentication: client_secret_basic (HTTP Basic), client_secret_post, or private_key_jwt (RFC 7523). Every issuance and refusal is audited.",
        tags: ["tokens"],
        security: [{ clientSecretBasic: [] }, {}],
        requestBody: {
          required: true,
          content: { "application/x-www-form-urlencoded": { schema: { oneOf: [schema("TokenExchangeForm"), schema("ClientCredentialsForm")] } } },
        },
        responses: {
          "200": { description: "The access token. Cache-Control: no-store.", content: { "application/json": { schema: schema("TokenResponse") } } },
          "400": { description: "The request or the grant was refused (RFC 6749 §5.2).", content: { "application/json": { schema: schema("OAuthError") } } },
          "401": { description: "Client authentication failed (invalid_client).", content: { "application/json": { schema: schema("OAuthError") } } },
          "500": {
            description: "The vault could not issue or audit the token (server_error).",
            content: { "application/json": { schema: schema("OAuthError") } },
          },
        },
      },
    },
    "/api/oauth/register": registrationPath,
    "/api/v1/alerts": alertsPath,
    "/api/v1/delegation": {
      get: {
        operationId: "getDelegation",
        summary: "The delegation behind this token: person, connection, delegated scopes and tools, constraints, expiry",
        tags: ["acting"],
        security: DELEGATION_TOKEN,
        parameters: [requestId],
        responses: {
          "200": json("DelegationView", "The delegation. Never a credential."),
          "401": response("Unauthorized"),
          "403": response("Forbidden"),
          "404": response("NotFound"),
        },
      },
    },
    "/api/v1/delegations": {
      get: {
        operationId: "listAgentDelegations",
        summary: "The live delegations granted to this agent",
        tags: ["agents"],
        security: AGENT_TOKEN,
        parameters: [requestId],
        responses: {
          "200": json("DelegationList", "Delegations not revoked, not expired, on connections not disconnected."),
          "401": response("Unauthorized"),
          "403": response("Forbidden"),
        },
      },
    },
    "/api/v1/tools": {
      get: {
        operationId: "listTools",
        summary: "The tools this delegation may call",
        tags: ["acting"],
        security: DELEGATION_TOKEN,
        parameters: [requestId],
        responses: {
          "200": json("ToolList", "Delegated tools within the agent's ceiling, for the connection's provider."),
          "401": response("Unauthorized"),
          "403": response("Forbidden"),
          "404": response("NotFound"),
        },
      },
    },
    "/api/v1/tools/{name}": {
      post: {
        operationId: "callTool",
        summary: "Run one tool for the person behind the delegation",
        description: "Decided by the policy decision point, audited, and answered with a signed receipt. Only the tool's declared output fields are returned.",
        tags: ["acting"],
        security: DELEGATION_TOKEN,
        parameters: [
          {
            name: "name",
            in: "path",
            required: true,
            description:
              "The tool's MCP name as GET /api/v1/tools lists it in `mcpName`, e.g. demo_tasks__list_tasks. The dotted name (demo-tasks.list_tasks) is deprecated: it is still accepted in this version, and will not be in the next.",
            schema: { type: "string", maxLength: 100 },
          },
          requestId,
          approvalHeader,
        ],
        requestBody: body("ToolCallRequest"),
        responses: { "200": json("ToolCallResponse", "The tool's output and the receipt."), ...pendingResponse, ...ACTION_ERRORS },
      },
    },
    "/api/v1/proxy": {
      post: {
        operationId: "proxyCall",
        summary: "One raw call to the provider's API with the person's credential, which the agent never sees",
        description:
          "`path` is relative to the provider's API base. Absolute URLs, `//host`, `..` in any encoding, `@`, backslashes and control characters are refused with 400 (path_refused) before anything is sent. Only allow-listed headers pass either way; redirects are returned, never followed.",
        tags: ["acting"],
        security: DELEGATION_TOKEN,
        parameters: [requestId, approvalHeader],
        requestBody: body("ProxyRequest"),
        responses: { "200": json("ProxyResponse", "The provider's status, allowed headers and body, and the receipt."), ...pendingResponse, ...ACTION_ERRORS },
      },
    },
    "/api/v1/approvals/{id}": approvalPath(requestId, { "401": response("Unauthorized"), "403": response("Forbidden"), "404": response("NotFound") }),
    "/api/mcp": {
      post: {
        operationId: "mcp",
        summary: "Model Context Protocol (Streamable HTTP, stateless, JSON answers): the same tools as /api/v1/tools",
        description:
          "A 401 carries `WWW-Authenticate` with `resource_metadata` pointing at /.well-known/oauth-protected-resource/api/mcp (RFC 9728). Web pages may call it from the portal's own origin and from the origins the operator lists in VAULT_MCP_ALLOWED_ORIGINS (CORS, no credentials; OPTIONS answers the preflight).",
        tags: ["acting"],
        security: MCP_TOKEN,
        parameters: [requestId],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { oneOf: [schema("JsonRpcMessage"), { type: "array", items: schema("JsonRpcMessage") }] } } },
        },
        responses: {
          "200": {
            description: "JSON-RPC answers.",
            content: { "application/json": { schema: { oneOf: [schema("JsonRpcMessage"), { type: "array", items: schema("JsonRpcMessage") }] } } },
          },
          "202": { description: "Accepted: the request held only notifications or answers." },
          "400": jsonRpcError("Not a valid JSON-RPC message."),
          "401": response("Unauthorized"),
          "403": response("Forbidden"),
          "406": jsonRpcError("The Accept header must list application/json and text/event-stream."),
          "415": jsonRpcError("The body must be application/json."),
        },
      },
      get: {
        operationId: "mcpStream",
        summary: "Not offered: the server is stateless and opens no event stream",
        tags: ["acting"],
        security: PUBLIC,
        responses: { "405": response("MethodNotAllowed") },
      },
      delete: {
        operationId: "mcpEndSession",
        summary: "Not offered: the server keeps no sessions",
        tags: ["acting"],
        security: PUBLIC,
        responses: { "405": response("MethodNotAllowed") },
      },
    },
    "/access/v1/evaluation": {
      post: {
        operationId: "accessEvaluation",
        summary: "OpenID AuthZEN 1.0 access evaluation: may this agent do this with this delegation?",
        description:
          "An agent asks about itself only; a tenant administrator (portal session, same-origin) about the tenant's agents. Each evaluation is decided and audited, not counted against rate limits.",
        tags: ["policy"],
        security: AGENT_OR_ADMIN,
        parameters: [requestId],
        requestBody: body("EvaluationRequest"),
        responses: {
          "200": json("EvaluationResponse", "The decision."),
          "400": response("BadRequest"),
          "401": response("Unauthorized"),
          "403": response("Forbidden"),
        },
      },
    },
    "/access/v1/evaluations": {
      post: {
        operationId: "accessEvaluations",
        summary: "Several AuthZEN access evaluations in one call",
        tags: ["policy"],
        security: AGENT_OR_ADMIN,
        parameters: [requestId],
        requestBody: body("EvaluationsRequest"),
        responses: {
          "200": {
            description: "One decision per evaluation (or a single decision when no evaluations were listed).",
            content: { "application/json": { schema: { oneOf: [schema("EvaluationsResponse"), schema("EvaluationResponse")] } } },
          },
          "400": response("BadRequest"),
          "401": response("Unauthorized"),
          "403": response("Forbidden"),
        },
      },
    },
    "/api/v1/status": {
      get: {
        operationId: "getStatus",
        summary: "The tenant's status: token exchanges, connected accounts, authorized agents, open alerts, refresh engine",
        description:
          "A tenant administrator (portal session) sees everything. An agent (agent or delegation token) sees the tenant-wide counts, and only the alerts about the vault, about itself and about the connections behind its own live delegations, naming no person.",
        tags: ["status"],
        security: AGENT_OR_ADMIN,
        parameters: [requestId],
        responses: { "200": json("Status", "The status."), "401": response("Unauthorized"), "403": response("Forbidden") },
      },
    },
    "/api/health": {
      get: {
        operationId: "getHealth",
        summary: "Liveness, with the database reachable or not",
        tags: ["status"],
        security: PUBLIC,
        responses: { "200": json("Health", "Up, database reachable."), "503": json("Health", "Up, but the database does not answer.") },
      },
    },
    "/api/ping": {
      get: {
        operationId: "getPing",
        summary: "Answers without touching the database: a load balancer's keep-alive probe",
        tags: ["status"],
        security: PUBLIC,
        responses: { "200": json("Ping", "Up.") },
      },
    },
    "/api/openapi.json": { get: discovery("getOpenApiDocument", "This document", "OpenApiDocument") },
    "/api/v1/event-schemas": {
      get: discovery("getEventSchemas", "Versioned JSON Schemas of every event type webhooks deliver (public, like this document)", "EventSchemas"),
    },
    "/.well-known/oauth-authorization-server": {
      get: discovery("getAuthorizationServerMetadata", "RFC 8414 metadata of the token endpoint", "AuthorizationServerMetadata"),
    },
    "/.well-known/jwks.json": { get: discovery("getJwks", "Public keys of delegation tokens and receipts", "JsonWebKeySet") },
    "/.well-known/authzen-configuration": {
      get: discovery("getAuthZenConfiguration", "OpenID AuthZEN 1.0 metadata of the policy decision point", "AuthZenConfiguration"),
    },
    "/.well-known/oauth-protected-resource": {
      get: discovery("getProtectedResourceMetadata", "RFC 9728 metadata of the MCP endpoint", "ProtectedResourceMetadata"),
    },
    "/.well-known/oauth-protected-resource/api/mcp": {
      get: discovery("getMcpProtectedResourceMetadata", "RFC 9728 metadata of the MCP endpoint, at its path-aware address", "ProtectedResourceMetadata"),
    },
  };
}

function jsonRpcError(description: string) {
  return { description: `${description} Answered as a JSON-RPC error.`, content: { "application/json": { schema: schema("JsonRpcMessage") } } };
}

export function openApiDocument(serverUrl: string = vaultIssuer()) {
  return {
    openapi: "3.1.1",
    info: {
      title: "Token Vault agent API",
      version: "1.0.0",
      description:
        "What agents call: get a short-lived delegation token for a grant a person made, then act through the vault (tools, raw proxy, MCP) without ever holding a provider token. Errors are RFC 9457 problem+json with a stable `code`, except the token endpoint's RFC 6749 errors.",
    },
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    servers: [{ url: serverUrl }],
    tags: [
      { name: "tokens", description: "Agent authentication (OAuth 2.0)" },
      { name: "acting", description: "Acting for a person with a delegation token" },
      { name: "agents", description: "Agent-level calls with an agent token" },
      { name: "policy", description: "The policy decision point (OpenID AuthZEN 1.0)" },
      { name: "status", description: "Health and status" },
      { name: "discovery", description: "Metadata and keys" },
    ],
    paths: paths(),
    components: components(serverUrl),
  };
}
