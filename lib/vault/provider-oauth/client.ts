import "server-only";
// oauth4webapi plumbing shared by connect, refresh and revocation: the authorization-server and
// client objects for a catalogue definition, client authentication, and request options. Plain
// http is allowed only for loopback (the bundled demo provider); everything else must be https.
import * as oauth from "oauth4webapi";
import { isLoopbackUrl } from "@/lib/net/loopback";
import { oauthSettings, type ProviderDefinition } from "@/lib/providers/schemas";
import { revealSecret, type Secret } from "@/lib/vault/crypto/secret";
import { tokenResponseFetch } from "@/lib/vault/provider-oauth/token-response";

export const PROVIDER_TIMEOUT_MS = 10_000;

export function authorizationServer(def: ProviderDefinition): oauth.AuthorizationServer {
  const { authorizationUrl, tokenUrl } = oauthSettings(def);
  return {
    issuer: def.issuer ?? new URL(authorizationUrl).origin,
    authorization_endpoint: authorizationUrl,
    token_endpoint: tokenUrl,
    revocation_endpoint: def.revocationUrl,
    // RFC 9207: when the catalogue names an issuer, the authorization response must carry it.
    authorization_response_iss_parameter_supported: Boolean(def.issuer),
  };
}

export function oauthClient(clientId: string): oauth.Client {
  return { client_id: clientId };
}

export function clientAuth(def: ProviderDefinition, secret: Secret): oauth.ClientAuth {
  const value = revealSecret(secret);
  return def.tokenAuthMethod === "client_secret_post" ? oauth.ClientSecretPost(value) : oauth.ClientSecretBasic(value);
}

export function requestOptions(def: ProviderDefinition, extra?: Record<string, string>) {
  const insecure = isLoopbackUrl(oauthSettings(def).tokenUrl);
  return {
    ...(insecure ? { [oauth.allowInsecureRequests]: true } : {}),
    ...(def.tokenResponsePath ? { [oauth.customFetch]: tokenResponseFetch(def.tokenResponsePath) } : {}),
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    ...(extra && Object.keys(extra).length > 0 ? { additionalParameters: extra } : {}),
  };
}

export function isLoopback(url: string): boolean {
  return isLoopbackUrl(url);
}
