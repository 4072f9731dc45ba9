import "server-only";
// The components of the OpenAPI document: security schemes (the bearer tokens agents hold, and the
// OAuth 2.0 flows that issue them, with the vault's real endpoint URLs), schemas, parameters, headers
// and the shared problem+json responses.
import { TOKEN_ENDPOINT_PATH } from "@/lib/oauth-server/issuer";
import { AGENT_SCOPE } from "@/lib/oauth-server/tokens";

import { approvalSchemas } from "./approvals";
import { registrationSchemas } from "./registration";
import { componentSchemas, type JsonSchema } from "./schemas";

/** Where a person is sent to connect an MCP client (the authorization endpoint, with the portal's consent page). */
export const AUTHORIZE_PATH = "/api/oauth/authorize";

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/**
 * OAuth 2.0 as OpenAPI describes it: client_credentials for agent tokens, and the authorization code
 * flow (PKCE S256, rotating refresh tokens) by which a person connects an MCP client. The token
 * exchange of a delegation id (RFC 8693) has no OpenAPI flow: delegationToken describes its token.
 */
function oauth2Schemes(serverUrl: string) {
  const tokenUrl = `${serverUrl}${TOKEN_ENDPOINT_PATH}`;
  return {
    oauth2ClientCredentials: {
      type: "oauth2",
      description: "An agent token (client_secret_basic, client_secret_post or private_key_jwt at the token endpoint).",
      flows: { clientCredentials: { tokenUrl, scopes: { [AGENT_SCOPE]: "Agent-level calls: the agent's own delegations, status, policy questions." } } },
    },
    oauth2AuthorizationCode: {
      type: "oauth2",
      description:
        "An MCP client's access token: a person connects the client through the authorization endpoint and the portal's consent page (PKCE S256 required, `resource` = the MCP endpoint); refresh tokens rotate, and a reused one revokes the family.",
      flows: {
        authorizationCode: {
          authorizationUrl: `${serverUrl}${AUTHORIZE_PATH}`,
          tokenUrl,
          refreshUrl: tokenUrl,
          // What the client may do is what the person grants on the consent page (connections, tools, scopes), not a fixed list of scopes.
          scopes: {},
        },
      },
    },
  };
}

function problemResponse(description: string, extra: JsonSchema = {}) {
  return { description, ...extra, content: { "application/problem+json": { schema: schema("Problem") } } };
}

export function components(serverUrl: string) {
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
      ...oauth2Schemes(serverUrl),
      portalSession: {
        type: "apiKey",
        in: "cookie",
        name: "next-auth.session-token",
        description: "A tenant administrator's portal session (__Secure-next-auth.session-token over HTTPS).",
      },
    },
    schemas: { ...componentSchemas(), ...registrationSchemas, ...approvalSchemas },
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
        {
          headers: {
            "WWW-Authenticate": {
              description:
                'On wrong_token_kind, scope_not_delegated and tool_not_delegated: RFC 6750 §3.1 insufficient_scope, with `scope` naming the missing scopes or tool, e.g. Bearer realm="token-vault", error="insufficient_scope", error_description="...", scope="tasks.write".',
              schema: { type: "string" },
            },
          },
        },
      ),
      NotFound: problemResponse("No such tool or delegation (tool_unknown, delegation_unknown)."),
      TooManyRequests: problemResponse("A containment policy holds the agent back after an alert (agent_rate_limited): wait the seconds Retry-After says.", {
        headers: { "Retry-After": { description: "Seconds until the agent may call again.", schema: { type: "integer" } } },
      }),
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
