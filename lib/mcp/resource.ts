import "server-only";
// The MCP endpoint as an OAuth protected resource (RFC 9728): where it lives, which authorization
// server issues its tokens, and the `WWW-Authenticate` challenge that points an MCP client at this
// metadata when a call comes without a usable token (MCP authorization, "Authorization Server Location").
import { bearerChallenge, type ChallengeError } from "@/lib/oauth-server/challenge";
import { jwksUrl, vaultIssuer } from "@/lib/oauth-server/issuer";
import { MCP_SCOPE } from "@/lib/oauth-server/tokens";
import { VAULT_VERIFY_ALGS } from "@/lib/vault/signing/signing-keys";

export const MCP_PATH = "/api/mcp";
export const PROTECTED_RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource";

/** The resource identifier agents call and tokens are meant for. */
export function mcpResourceUrl(): string {
  return `${vaultIssuer()}${MCP_PATH}`;
}

/** RFC 9728 §3.1: the well-known address with the resource's path appended, which a client would derive from /api/mcp itself. */
export function protectedResourceMetadataUrl(): string {
  return `${vaultIssuer()}${PROTECTED_RESOURCE_METADATA_PATH}${MCP_PATH}`;
}

export function protectedResourceMetadata() {
  return {
    resource: mcpResourceUrl(),
    authorization_servers: [vaultIssuer()],
    bearer_methods_supported: ["header"],
    resource_name: "Token Vault MCP server",
    // Tool results carry receipts the vault signs; these are the keys and algorithms to check them.
    jwks_uri: jwksUrl(),
    resource_signing_alg_values_supported: [...VAULT_VERIFY_ALGS],
    // One scope: what a client may do is what the person chose on the consent page (or, for a
    // delegation token, the provider scopes granted with the delegation), not a scope string.
    scopes_supported: [MCP_SCOPE],
  };
}

/** RFC 6750 §3 challenge plus RFC 9728 §5.1 `resource_metadata`; no `error` when no token came. */
export function mcpChallenge(error?: ChallengeError): string {
  return bearerChallenge(error, { resource_metadata: protectedResourceMetadataUrl() });
}
