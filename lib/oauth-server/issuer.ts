import "server-only";
// The vault's identity as an OAuth authorization server (RFC 8414): one issuer string that every
// token it signs carries as `iss` and `aud`, and that client assertions must name as their audience.
import { env } from "@/lib/env";

export const TOKEN_ENDPOINT_PATH = "/api/oauth/token";
export const AUTHORIZATION_ENDPOINT_PATH = "/api/oauth/authorize";
export const REGISTRATION_ENDPOINT_PATH = "/api/oauth/register";
export const JWKS_PATH = "/.well-known/jwks.json";
export const METADATA_PATH = "/.well-known/oauth-authorization-server";

/** The portal's public origin (NEXTAUTH_URL), without a trailing slash. */
export function vaultIssuer(): string {
  return new URL(env().nextauthUrl).origin;
}

export function tokenEndpointUrl(): string {
  return `${vaultIssuer()}${TOKEN_ENDPOINT_PATH}`;
}

export function jwksUrl(): string {
  return `${vaultIssuer()}${JWKS_PATH}`;
}

export function authorizationEndpointUrl(): string {
  return `${vaultIssuer()}${AUTHORIZATION_ENDPOINT_PATH}`;
}

export function registrationEndpointUrl(): string {
  return `${vaultIssuer()}${REGISTRATION_ENDPOINT_PATH}`;
}
