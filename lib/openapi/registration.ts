// The OpenAPI description of dynamic client registration (POST /api/oauth/register, RFC 7591), kept
// beside the main document so the document reads as one list of paths. Written by hand: the request
// is RFC 7591 client metadata (read by lib/oauth-clients/client-metadata.ts), the answer its §3.2.1
// client information. Pure.
import { GRANT_TYPES, PUBLIC_AUTH_METHOD, SECRET_AUTH_METHODS } from "@/lib/oauth-clients/client-metadata";
import { MAX_REDIRECT_URIS } from "@/lib/oauth-clients/redirect-uris";

type JsonSchema = Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const uri = (description: string) => ({ type: "string", format: "uri", description });

const metadata: Record<string, JsonSchema> = {
  redirect_uris: {
    type: "array",
    minItems: 1,
    maxItems: MAX_REDIRECT_URIS,
    items: { type: "string" },
    description:
      "Where the authorization response may go, matched exactly: https, http on a loopback address (127.0.0.1, [::1], localhost), or a native app's private-use scheme (com.example.app:/callback). No fragments. A native app's loopback IP URI may be used with any port.",
  },
  token_endpoint_auth_method: {
    type: "string",
    enum: [PUBLIC_AUTH_METHOD, ...SECRET_AUTH_METHODS],
    description: 'Defaults to client_secret_basic (RFC 7591 §2). MCP clients usually register "none": a public client with PKCE.',
  },
  grant_types: { type: "array", items: { type: "string", enum: [...GRANT_TYPES] }, description: 'Defaults to ["authorization_code"].' },
  response_types: { type: "array", items: { type: "string", const: "code" } },
  client_name: { type: "string", maxLength: 100, description: "Shown to people on the consent page and to administrators, marked as unverified." },
  client_uri: uri("An https URL of the client's home page."),
  logo_uri: uri("An https URL of the client's logo."),
  application_type: { type: "string", enum: ["web", "native"] },
};

export const registrationSchemas: Record<string, JsonSchema> = {
  ClientRegistrationRequest: {
    type: "object",
    description: "RFC 7591 client metadata. Unknown fields are ignored.",
    properties: metadata,
    required: ["redirect_uris"],
    additionalProperties: true,
  },
  ClientRegistrationResponse: {
    type: "object",
    description: "RFC 7591 §3.2.1 client information: the client_id, the metadata as registered, and a client_secret only for a secret method.",
    properties: {
      client_id: { type: "string", pattern: "^mcp_" },
      client_id_issued_at: { type: "integer" },
      client_secret: { type: "string", description: "Only for client_secret_basic and client_secret_post; shown this once, stored as a slow hash." },
      client_secret_expires_at: { type: "integer", const: 0 },
      ...metadata,
    },
    required: ["client_id", "client_id_issued_at", "redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types", "client_name"],
  },
  ClientRegistrationError: {
    type: "object",
    description: "RFC 7591 §3.2.2 error answer.",
    properties: {
      error: { type: "string", enum: ["invalid_redirect_uri", "invalid_client_metadata", "temporarily_unavailable", "server_error"] },
      error_description: { type: "string" },
    },
    required: ["error", "error_description"],
  },
};

const error = (description: string, headers?: JsonSchema) => ({
  description,
  ...(headers ? { headers } : {}),
  content: { "application/json": { schema: ref("ClientRegistrationError") } },
});

export const registrationPath = {
  post: {
    operationId: "registerClient",
    summary: "Register an OAuth client people connect, such as an MCP client (RFC 7591)",
    description:
      "Open to anyone, throttled per source address. The client belongs to no organisation and can do nothing by itself: each organisation approves it (or its policy does) when one of its people first connects it. Instead of registering, a client may use the https URL of its client ID metadata document as its client_id.",
    tags: ["tokens"],
    security: [],
    requestBody: { required: true, content: { "application/json": { schema: ref("ClientRegistrationRequest") } } },
    responses: {
      "201": { description: "Registered. Cache-Control: no-store.", content: { "application/json": { schema: ref("ClientRegistrationResponse") } } },
      "400": error("The metadata was refused (invalid_redirect_uri, invalid_client_metadata)."),
      "429": error("Too many registrations from this address (temporarily_unavailable).", {
        "Retry-After": { description: "Seconds until this address may register again.", schema: { type: "integer" } },
      }),
      "500": error("The vault could not register the client (server_error)."),
    },
  },
};
