import "server-only";
// The component schemas of the OpenAPI document. Wherever a route parses or answers with a zod
// schema, its JSON Schema is generated from that very schema (z.toJSONSchema, JSON Schema 2020-12,
// OpenAPI 3.1's dialect), so the document cannot drift from what the handlers accept and send.
// What has no zod schema (the token endpoint's form, RFC documents, MCP's JSON-RPC) is written here.
import { z } from "zod";

import { delegationDto } from "@/lib/delegations/schemas";
import { alertDto } from "@/lib/containment/schemas";
import { statusDto } from "@/lib/monitor/schemas";
import { CLIENT_AUTH_METHODS, JWT_BEARER_ASSERTION_TYPE } from "@/lib/oauth-server/client-auth";
import { delegationViewDto } from "@/lib/oauth-server/delegation-view";
import { ACCESS_TOKEN_TYPE, AGENT_SCOPE, CLIENT_CREDENTIALS_GRANT, DELEGATION_ID_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from "@/lib/oauth-server/tokens";
import { evaluationRequest, evaluationResponse, evaluationsRequest, evaluationsResponse } from "@/lib/pdp/authzen";
import { proxyRequestBody } from "@/lib/orchestration/proxy-request";
import { TOOL_DEFINITIONS } from "@/lib/providers";
import { toolInputJsonSchema } from "@/lib/tools/tool";

export type JsonSchema = Record<string, unknown>;

/** A zod schema as an OpenAPI 3.1 schema object: `input` for what a route accepts, `output` for what it answers. */
export function fromZod(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  delete json.$schema;
  // A local $defs reference would resolve against the whole document in OpenAPI; none may appear.
  if ("$defs" in json) throw new Error("A schema with shared definitions cannot be embedded as is: register it as a component instead.");
  return json;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const str = (description: string, extra: JsonSchema = {}) => ({ type: "string", description, ...extra });

/** Component name of a tool's input or output schema (component names allow `.`, `-` and `_`). */
export const toolSchemaName = (tool: string, part: "Input" | "Output") => `Tool.${tool}.${part}`;

const clientAuthFields: Record<string, JsonSchema> = {
  client_id: str("The agent's client_id (client_secret_post, or to name the client alongside an assertion)."),
  client_secret: str("client_secret_post only. Prefer HTTP Basic (client_secret_basic) or private_key_jwt."),
  client_assertion_type: { type: "string", const: JWT_BEARER_ASSERTION_TYPE, description: "private_key_jwt (RFC 7523)." },
  client_assertion: str(
    "private_key_jwt: a JWT signed by the agent's key; iss = sub = client_id, aud = the issuer or the token endpoint, exp at most 5 minutes ahead, a single-use jti.",
  ),
};
const targetFields: Record<string, JsonSchema> = {
  resource: str("Optional; if sent, the vault's issuer (tokens are only for the vault itself)."),
  audience: str("Optional; if sent, the vault's issuer."),
};

function toolComponents(): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const tool of TOOL_DEFINITIONS) {
    out[toolSchemaName(tool.name, "Input")] = { ...toolInputJsonSchema(tool), title: `${tool.title}: input` };
    out[toolSchemaName(tool.name, "Output")] = { ...fromZod(tool.output, "output"), title: `${tool.title}: output` };
  }
  return out;
}

export function componentSchemas(): Record<string, JsonSchema> {
  return {
    Problem: {
      type: "object",
      description:
        "RFC 9457 problem details. `code` is stable for programs; `detail` is a sentence for people. Some refusals add members, such as `layer` (which policy layer refused) or `providerStatus`.",
      properties: {
        type: str("urn:tokenvault:problem:<code>"),
        title: { type: "string" },
        status: { type: "integer", minimum: 400, maximum: 599 },
        detail: { type: "string" },
        code: str("Stable machine code, e.g. delegation_revoked, scope_not_delegated, connection_needs_reconnect, path_refused."),
      },
      required: ["type", "title", "status", "detail", "code"],
      additionalProperties: true,
    },
    OAuthError: {
      type: "object",
      description: "RFC 6749 §5.2 error answer of the token endpoint.",
      properties: {
        error: {
          type: "string",
          enum: [
            "invalid_request",
            "invalid_client",
            "invalid_grant",
            "unauthorized_client",
            "unsupported_grant_type",
            "invalid_scope",
            "invalid_target",
            "server_error",
          ],
        },
        error_description: { type: "string" },
      },
      required: ["error", "error_description"],
      additionalProperties: false,
    },
    TokenExchangeForm: {
      type: "object",
      description: "RFC 8693 token exchange: a delegation id for a delegation access token (at most 300 s).",
      properties: {
        grant_type: { type: "string", const: TOKEN_EXCHANGE_GRANT },
        subject_token: str("The delegation id the person's grant shows.", { maxLength: 200 }),
        subject_token_type: { type: "string", const: DELEGATION_ID_TOKEN_TYPE },
        scope: str("Optional, space-separated: a subset of the delegated scopes. Leave out for all of them."),
        requested_token_type: { type: "string", const: ACCESS_TOKEN_TYPE },
        ...targetFields,
        ...clientAuthFields,
      },
      required: ["grant_type", "subject_token", "subject_token_type"],
    },
    ClientCredentialsForm: {
      type: "object",
      description: "client_credentials: an agent token, for agent-level calls such as listing the agent's delegations.",
      properties: {
        grant_type: { type: "string", const: CLIENT_CREDENTIALS_GRANT },
        scope: { type: "string", const: AGENT_SCOPE },
        ...targetFields,
        ...clientAuthFields,
      },
      required: ["grant_type"],
    },
    TokenResponse: {
      type: "object",
      description:
        "A vault-signed JWT access token (RFC 9068). A delegation token carries sub = the person's ARN, act.sub = the agent's client_id, cnx = connection id, del = delegation id. It is never a provider token.",
      properties: {
        access_token: { type: "string" },
        issued_token_type: { type: "string", const: ACCESS_TOKEN_TYPE, description: "Token exchange only." },
        token_type: { type: "string", const: "Bearer" },
        expires_in: { type: "integer", minimum: 1, maximum: 300 },
        scope: { type: "string" },
      },
      required: ["access_token", "token_type", "expires_in", "scope"],
      additionalProperties: false,
    },
    DelegationView: fromZod(delegationViewDto, "output"),
    Delegation: fromZod(delegationDto, "output"),
    DelegationList: {
      type: "object",
      properties: { delegations: { type: "array", items: ref("Delegation") } },
      required: ["delegations"],
      additionalProperties: false,
    },
    Tool: {
      type: "object",
      properties: {
        name: str("The catalogue's name, e.g. demo-tasks.list_tasks: what delegations, ceilings, audit records and receipts name."),
        mcpName: str("The same tool's name on /api/mcp, e.g. demo_tasks__list_tasks: `<provider>__<tool>` with `-` and `.` folded to `_`.", {
          pattern: "^[a-zA-Z0-9_-]{1,64}$",
        }),
        title: { type: "string" },
        description: { type: "string" },
        inputSchema: { type: "object", description: "JSON Schema of the tool's input (the same as components Tool.<name>.Input)." },
      },
      required: ["name", "mcpName", "title", "description", "inputSchema"],
      additionalProperties: false,
    },
    ToolList: { type: "object", properties: { tools: { type: "array", items: ref("Tool") } }, required: ["tools"], additionalProperties: false },
    ToolCallRequest: {
      type: "object",
      properties: {
        input: {
          description: "The tool's input; each tool's schema is listed below and served by GET /api/v1/tools.",
          anyOf: TOOL_DEFINITIONS.map((t) => ref(toolSchemaName(t.name, "Input"))),
        },
      },
      additionalProperties: false,
    },
    ToolCallResponse: {
      type: "object",
      properties: {
        output: { description: "Only the tool's declared output fields.", anyOf: TOOL_DEFINITIONS.map((t) => ref(toolSchemaName(t.name, "Output"))) },
        credential: ref("CredentialKind"),
        receipt: ref("Receipt"),
      },
      required: ["output", "receipt"],
    },
    ProxyRequest: fromZod(proxyRequestBody, "input"),
    ProxyResponse: {
      type: "object",
      properties: {
        status: { type: "integer", description: "The provider's HTTP status." },
        headers: { type: "object", additionalProperties: { type: "string" }, description: "Only allow-listed response headers." },
        data: { description: "The provider's body: parsed JSON, text, base64 of binary bytes, or null (see encoding)." },
        encoding: { type: "string", enum: ["json", "text", "base64", "none"] },
        credential: ref("CredentialKind"),
        receipt: ref("Receipt"),
      },
      required: ["status", "headers", "data", "receipt"],
    },
    CredentialKind: {
      type: "string",
      enum: ["user", "service_account"],
      description: "Whose credential the vault used: the person's own connection, or the tenant's service account.",
    },
    Receipt: {
      type: "string",
      description:
        "Compact JWS (EdDSA or ES256, kid in /.well-known/jwks.json) over { iss, iat, jti, sub, act, cnx, del, action, request_sha256, status, response_sha256, audit_seq, audit_hash }.",
      pattern: "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$",
    },
    JsonRpcMessage: {
      type: "object",
      description: "A JSON-RPC 2.0 message of the Model Context Protocol (initialize, tools/list, tools/call, ...).",
      properties: {
        jsonrpc: { type: "string", const: "2.0" },
        id: { type: ["string", "integer"] },
        method: { type: "string" },
        params: { type: "object" },
        result: {},
        error: { type: "object" },
      },
      required: ["jsonrpc"],
    },
    EvaluationRequest: fromZod(evaluationRequest, "input"),
    EvaluationResponse: fromZod(evaluationResponse, "output"),
    EvaluationsRequest: fromZod(evaluationsRequest, "input"),
    EvaluationsResponse: fromZod(evaluationsResponse, "output"),
    Status: fromZod(statusDto, "output"),
    Alerts: fromZod(z.object({ alerts: z.array(alertDto) }), "output"),
    Health: {
      type: "object",
      properties: {
        status: { type: "string", enum: ["ok", "degraded"] },
        database: { type: "object", properties: { reachable: { type: "boolean" }, detail: { type: "string" } }, required: ["reachable"] },
      },
      required: ["status", "database"],
    },
    AuthorizationServerMetadata: {
      type: "object",
      description: "RFC 8414.",
      properties: {
        issuer: { type: "string", format: "uri" },
        token_endpoint: { type: "string", format: "uri" },
        jwks_uri: { type: "string", format: "uri" },
        grant_types_supported: { type: "array", items: { type: "string" } },
        token_endpoint_auth_methods_supported: { type: "array", items: { type: "string", enum: [...CLIENT_AUTH_METHODS, "none"] } },
        authorization_endpoint: { type: "string", format: "uri" },
        registration_endpoint: { type: "string", format: "uri" },
        code_challenge_methods_supported: { type: "array", items: { type: "string", enum: ["S256"] } },
        token_endpoint_auth_signing_alg_values_supported: { type: "array", items: { type: "string" } },
      },
      required: ["issuer", "token_endpoint", "jwks_uri", "grant_types_supported", "token_endpoint_auth_methods_supported"],
    },
    ProtectedResourceMetadata: {
      type: "object",
      description: "RFC 9728, for the MCP endpoint.",
      properties: {
        resource: { type: "string", format: "uri" },
        authorization_servers: { type: "array", items: { type: "string", format: "uri" } },
        bearer_methods_supported: { type: "array", items: { type: "string" } },
        resource_name: { type: "string" },
        jwks_uri: { type: "string", format: "uri" },
      },
      required: ["resource", "authorization_servers"],
    },
    AuthZenConfiguration: {
      type: "object",
      description: "OpenID AuthZEN Authorization API 1.0 PDP metadata.",
      properties: {
        policy_decision_point: { type: "string", format: "uri", description: "The vault's issuer." },
        access_evaluation_endpoint: { type: "string", format: "uri" },
        access_evaluations_endpoint: { type: "string", format: "uri" },
      },
      required: ["policy_decision_point", "access_evaluation_endpoint"],
    },
    JsonWebKeySet: {
      type: "object",
      description: "RFC 7517: public keys only.",
      properties: {
        keys: {
          type: "array",
          items: { type: "object", properties: { kty: { type: "string" }, kid: { type: "string" }, alg: { type: "string" } }, required: ["kty", "kid"] },
        },
      },
      required: ["keys"],
    },
    Ping: { type: "object", properties: { ok: { type: "boolean", const: true } }, required: ["ok"] },
    EventSchemas: {
      type: "object",
      description: "One entry per event type: its name, its version and its JSON Schema (draft 2020-12).",
      properties: {
        schemas: {
          type: "array",
          items: {
            type: "object",
            properties: { type: { type: "string" }, version: { type: "integer" }, schema: { type: "object" } },
            required: ["type", "version", "schema"],
          },
        },
      },
      required: ["schemas"],
    },
    OpenApiDocument: { type: "object", description: "This document.", properties: { openapi: { type: "string" } }, required: ["openapi"] },
    ...toolComponents(),
  };
}
