import "server-only";
// The OpenAPI 3.1 document of every agent-facing route (CONTRACT.md, "Discovery"), served at
// /api/openapi.json. AGENT_ROUTES names the route file behind each documented path; the test
// compares it with the route files under app/, so a new agent route cannot ship undocumented.
import { vaultIssuer } from "@/lib/oauth-server/issuer";

import { registrationPath, registrationSchemas } from "./registration";
import { componentSchemas, type JsonSchema } from "./schemas";

export type HttpVerb = "get" | "post" | "put" | "patch" | "delete";
export type AgentRoute = { path: string; file: string; methods: readonly HttpVerb[] };

/** Every agent-facing route: its public path, the file that serves it, and the methods agents use. */
export const AGENT_ROUTES: readonly AgentRoute[] = [
  { path: "/api/oauth/token", file: "app/api/oauth/token/route.ts", methods: ["post"] },
  { path: "/api/oauth/register", file: "app/api/oauth/register/route.ts", methods: ["post"] },
  { path: "/api/v1/delegation", file: "app/api/v1/delegation/route.ts", methods: ["get"] },
  // POST (granting) is the portal's, with a session; agents only list.
  { path: "/api/v1/delegations", file: "app/api/v1/delegations/route.ts", methods: ["get"] },
  { path: "/api/v1/tools", file: "app/api/v1/tools/route.ts", methods: ["get"] },
  { path: "/api/v1/tools/{name}", file: "app/api/v1/tools/[name]/route.ts", methods: ["post"] },
  { path: "/api/v1/proxy", file: "app/api/v1/proxy/route.ts", methods: ["post"] },
  { path: "/api/mcp", file: "app/api/mcp/route.ts", methods: ["post", "get", "delete"] },
  { path: "/access/v1/evaluation", file: "app/access/v1/evaluation/route.ts", methods: ["post"] },
  { path: "/access/v1/evaluations", file: "app/access/v1/evaluations/route.ts", methods: ["post"] },
  { path: "/api/v1/status", file: "app/api/v1/status/route.ts", methods: ["get"] },
  { path: "/api/health", file: "app/api/health/route.ts", methods: ["get"] },
  { path: "/api/ping", file: "app/api/ping/route.ts", methods: ["get"] },
  { path: "/api/openapi.json", file: "app/api/openapi.json/route.ts", methods: ["get"] },
  { path: "/.well-known/oauth-authorization-server", file: "app/.well-known/oauth-authorization-server/route.ts", methods: ["get"] },
  { path: "/.well-known/jwks.json", file: "app/.well-known/jwks.json/route.ts", methods: ["get"] },
  { path: "/.well-known/oauth-protected-resource", file: "app/.well-known/oauth-protected-resource/route.ts", methods: ["get"] },
  { path: "/.well-known/oauth-protected-resource/api/mcp", file: "app/.well-known/oauth-protected-resource/api/mcp/route.ts", methods: ["get"] },
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
const AGENT_TOKEN = [{ agentToken: [] }];
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
          { name: "name", in: "path", required: true, description: "The tool's name, e.g. demo-tasks.list_tasks.", schema: { type: "string", maxLength: 100 } },
          requestId,
        ],
        requestBody: body("ToolCallRequest"),
        responses: { "200": json("ToolCallResponse", "The tool's output and the receipt."), ...ACTION_ERRORS },
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
        parameters: [requestId],
        requestBody: body("ProxyRequest"),
        responses: { "200": json("ProxyResponse", "The provider's status, allowed headers and body, and the receipt."), ...ACTION_ERRORS },
      },
    },
    "/api/mcp": {
      post: {
        operationId: "mcp",
        summary: "Model Context Protocol (Streamable HTTP, stateless, JSON answers): the same tools as /api/v1/tools",
        description: "A 401 carries `WWW-Authenticate` with `resource_metadata` pointing at /.well-known/oauth-protected-resource (RFC 9728).",
        tags: ["acting"],
        security: DELEGATION_TOKEN,
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
        security: [{ agentToken: [] }, { delegationToken: [] }, { portalSession: [] }],
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
        security: [{ agentToken: [] }, { delegationToken: [] }, { portalSession: [] }],
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
        security: [{ agentToken: [] }, { delegationToken: [] }, { portalSession: [] }],
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
    "/.well-known/oauth-authorization-server": {
      get: discovery("getAuthorizationServerMetadata", "RFC 8414 metadata of the token endpoint", "AuthorizationServerMetadata"),
    },
    "/.well-known/jwks.json": { get: discovery("getJwks", "Public keys of delegation tokens and receipts", "JsonWebKeySet") },
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

function problemResponse(description: string, extra: JsonSchema = {}) {
  return { description, ...extra, content: { "application/problem+json": { schema: schema("Problem") } } };
}

function components() {
  const challenge = {
    "WWW-Authenticate": { description: 'RFC 6750 challenge, e.g. Bearer realm="token-vault", error="invalid_token".', schema: { type: "string" } },
  };
  return {
    securitySchemes: {
      delegationToken: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          "A delegation access token from the token exchange (POST /api/oauth/token, grant urn:ietf:params:oauth:grant-type:token-exchange). At most 300 s; re-checked against the agent and the delegation on every call.",
      },
      agentToken: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description: "An agent token from POST /api/oauth/token with grant_type=client_credentials.",
      },
      clientSecretBasic: {
        type: "http",
        scheme: "basic",
        description: "client_secret_basic: the agent's client_id and client_secret. client_secret_post and private_key_jwt go in the form instead.",
      },
      portalSession: {
        type: "apiKey",
        in: "cookie",
        name: "next-auth.session-token",
        description: "A tenant administrator's portal session (__Secure-next-auth.session-token over HTTPS).",
      },
    },
    schemas: { ...componentSchemas(), ...registrationSchemas },
    parameters: {
      XRequestId: {
        name: "X-Request-ID",
        in: "header",
        required: false,
        description: "Echoed on the answer and written to the audit log; one is made up when absent.",
        schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,128}$" },
      },
    },
    headers: { XRequestId: { description: "The request's id, as sent or made up.", schema: { type: "string" } } },
    responses: {
      BadRequest: problemResponse("The request is malformed or refused before anything was done (e.g. invalid_request, invalid_tool_input, path_refused)."),
      Unauthorized: problemResponse(
        "No token, or a token that is invalid, expired, or whose agent or delegation no longer allows it (token_missing, token_invalid, token_expired, agent_suspended, delegation_revoked, ...).",
        { headers: challenge },
      ),
      Forbidden: problemResponse(
        "Refused: the wrong kind of token (wrong_token_kind), a person who is not an administrator, or a policy decision with its code (scope_not_delegated, tool_not_delegated, read_only, rate_limited, ...).",
      ),
      NotFound: problemResponse("No such tool or delegation (tool_unknown, delegation_unknown)."),
      Conflict: problemResponse("The connection cannot be used now (connection_needs_reconnect, connection_revoked, provider_unavailable)."),
      ProviderError: problemResponse(
        "The provider failed or answered outside the tool's declared shape (provider_error, provider_unavailable, provider_unexpected_answer).",
      ),
      AuditUnavailable: problemResponse("The action could not be audited, so its result is withheld (audit_unavailable). Retry-After is set."),
      ProviderTimeout: problemResponse("The provider did not answer in time (provider_timeout)."),
      MethodNotAllowed: problemResponse("This method is not offered here (method_not_allowed)."),
    },
  };
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
    components: components(),
  };
}
