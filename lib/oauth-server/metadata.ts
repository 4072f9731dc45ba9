import "server-only";
// RFC 8414 authorization server metadata: what a stock OAuth client needs to find the token endpoint,
// the key set, and which grants and client authentication methods the vault takes.
import { VAULT_VERIFY_ALGS } from "@/lib/vault/signing/signing-keys";

import { ASSERTION_ALGS, CLIENT_AUTH_METHODS } from "./client-auth";
import { jwksUrl, tokenEndpointUrl, vaultIssuer } from "./issuer";
import { CLIENT_CREDENTIALS_GRANT, TOKEN_EXCHANGE_GRANT } from "./tokens";

export function authorizationServerMetadata() {
  return {
    issuer: vaultIssuer(),
    token_endpoint: tokenEndpointUrl(),
    jwks_uri: jwksUrl(),
    grant_types_supported: [TOKEN_EXCHANGE_GRANT, CLIENT_CREDENTIALS_GRANT],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGS],
    // No authorization endpoint: agents never send a person through the vault's own consent screen.
    response_types_supported: [],
    // RFC 9068 access tokens signed with these algorithms (not a registered RFC 8414 field; informative).
    access_token_signing_alg_values_supported: [...VAULT_VERIFY_ALGS],
  };
}
