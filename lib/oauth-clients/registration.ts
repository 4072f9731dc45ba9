import "server-only";
// RFC 7591 dynamic client registration: anyone may register an OAuth client (an MCP client says who
// it is and where the authorization response may go), and gets a client_id and, only when it asked
// for a secret method, a client secret, shown this once and stored as a slow hash. A registered
// client belongs to no tenant and can do nothing by itself: each tenant decides, when one of its
// people first tries to connect it, under the tenant's policy (tenant-clients.ts). Self-registered
// clients are never "verified". Touches OAuthClient rows (creates them).
import { randomBytes } from "node:crypto";

import { generateClientSecret, hashSecret } from "@/lib/agents/credentials";
import { getDb } from "@/lib/db";
import { log } from "@/lib/log";

import { PUBLIC_AUTH_METHOD, readClientMetadata } from "./client-metadata";
import { redirectHosts } from "./redirect-uris";

const CLIENT_ID_PREFIX = "mcp_";

/** "mcp_" and 22 base64url characters (128 random bits): never a URL, so never mistaken for a metadata document. */
export function generateRegisteredClientId(): string {
  return CLIENT_ID_PREFIX + randomBytes(16).toString("base64url");
}

/** RFC 7591 §3.2.1: the client information response. */
export type RegistrationAnswer = {
  client_id: string;
  client_id_issued_at: number;
  client_secret?: string;
  client_secret_expires_at?: number;
  redirect_uris: string[];
  token_endpoint_auth_method: string;
  grant_types: string[];
  response_types: string[];
  client_name: string;
  client_uri?: string;
  logo_uri?: string;
  application_type: "web" | "native";
};

/** Registers a client from its metadata; throws a RegistrationError (RFC 7591 §3.2.2) saying what to fix. */
export async function registerClient(body: unknown): Promise<RegistrationAnswer> {
  const metadata = readClientMetadata(body, "registration");
  const clientId = generateRegisteredClientId();
  const clientSecret = metadata.authMethod === PUBLIC_AUTH_METHOD ? undefined : generateClientSecret();
  const secretHash = clientSecret ? await hashSecret(clientSecret) : null;
  const name = metadata.name ?? `Client at ${redirectHosts(metadata.redirectUris)[0]}`;
  const db = await getDb();
  const row = await db.oAuthClient.create({
    data: {
      id: clientId,
      kind: "registered",
      name,
      logoUri: metadata.logoUri,
      clientUri: metadata.clientUri,
      redirectUris: metadata.redirectUris,
      authMethod: metadata.authMethod,
      secretHash,
      native: metadata.native,
    },
    select: { createdAt: true },
  });
  log.info({ clientId, name, authMethod: metadata.authMethod, redirectHosts: redirectHosts(metadata.redirectUris) }, "OAuth client registered");
  return {
    client_id: clientId,
    client_id_issued_at: Math.floor(row.createdAt.getTime() / 1000),
    ...(clientSecret ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}),
    redirect_uris: metadata.redirectUris,
    token_endpoint_auth_method: metadata.authMethod,
    grant_types: metadata.grantTypes,
    response_types: metadata.responseTypes,
    client_name: name,
    ...(metadata.clientUri ? { client_uri: metadata.clientUri } : {}),
    ...(metadata.logoUri ? { logo_uri: metadata.logoUri } : {}),
    application_type: metadata.applicationType,
  };
}
