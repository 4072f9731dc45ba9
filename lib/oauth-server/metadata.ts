import "server-only";
// RFC 8414 authorization server metadata: what a stock OAuth client needs to find the token endpoint,
// the key set, and which grants and client authentication methods the vault takes. Agents use the
// token endpoint alone; OAuth clients a person connects (MCP clients) also find the authorization
// endpoint, PKCE S256, dynamic registration (RFC 7591) and Client ID Metadata Documents here.
import { VAULT_VERIFY_ALGS } from "@/lib/vault/signing/signing-keys";

import { ASSERTION_ALGS, CLIENT_AUTH_METHODS } from "./client-auth";
import { authorizationEndpointUrl, jwksUrl, registrationEndpointUrl, tokenEndpointUrl, vaultIssuer } from "./issuer";
import { AUTHORIZATION_CODE_GRANT, CLIENT_CREDENTIALS_GRANT, MCP_SCOPE, REFRESH_TOKEN_GRANT, TOKEN_EXCHANGE_GRANT } from "./tokens";

/** Client authentication at the token endpoint: the agents' methods, and "none" for public OAuth clients (PKCE alone). */
export const TOKEN_ENDPOINT_AUTH_METHODS = [...CLIENT_AUTH_METHODS, "none"] as const;

export function authorizationServerMetadata() {
  return {
    issuer: vaultIssuer(),
    authorization_endpoint: authorizationEndpointUrl(),
    token_endpoint: tokenEndpointUrl(),
    registration_endpoint: registrationEndpointUrl(),
    jwks_uri: jwksUrl(),
    scopes_supported: [MCP_SCOPE],
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: [TOKEN_EXCHANGE_GRANT, CLIENT_CREDENTIALS_GRANT, AUTHORIZATION_CODE_GRANT, REFRESH_TOKEN_GRANT],
    token_endpoint_auth_methods_supported: [...TOKEN_ENDPOINT_AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
    code_challenge_methods_supported: ["S256"],
    // RFC 9207: the code's redirect names the issuer, so a client talking to several servers cannot be confused.
    authorization_response_iss_parameter_supported: true,
    // draft-ietf-oauth-client-id-metadata-document: a client_id may be the https URL of the client's own metadata.
    client_id_metadata_document_supported: true,
    // RFC 9068 access tokens signed with these algorithms (not a registered RFC 8414 field; informative).
    access_token_signing_alg_values_supported: [...VAULT_VERIFY_ALGS],
  };
}
