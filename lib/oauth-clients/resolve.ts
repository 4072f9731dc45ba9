import "server-only";
// Which OAuth client a client_id names, as the authorization and token endpoints see it: a Client ID
// Metadata Document (the id is its URL; fetched, checked, kept in memory for as long as its cache
// headers allow and recorded in OAuthClient) or a client registered with RFC 7591 (OAuthClient, kind
// "registered"). Also whether a redirect URI is one of the client's, and the client's authentication
// at the token endpoint. What a client is allowed to do in a tenant is tenant-clients.ts's question.
// Touches OAuthClient rows (metadata documents upserted; secret hashes read, never returned) and the
// tenant's MCP client policy (read, for verified hosts).
import { verifyAgentSecret } from "@/lib/agents/credentials";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";

import { PUBLIC_AUTH_METHOD, SECRET_AUTH_METHODS, type ClientAuthMethod } from "./client-metadata";
import { ClientError } from "./errors";
import { documentIdProblem, fetchMetadataDocument, isMetadataDocumentId } from "./metadata-document";
import { readMcpClientPolicy } from "./policy";
import { redirectUriMatches } from "./redirect-uris";

export { ClientError } from "./errors";

export type ResolvedClient = {
  id: string; // the client_id
  kind: "metadata_document" | "registered";
  name: string;
  logoUri: string | null;
  clientUri: string | null;
  redirectUris: string[];
  authMethod: "none" | "client_secret_basic" | "client_secret_post";
  /** false for every self-registered client and for metadata documents whose host the tenant has not verified: the consent page says "unverified". */
  verified: boolean;
  /** A native app (RFC 8252): only then may a loopback redirect URI differ in port. */
  native: boolean;
};

type HeldClient = { client: ResolvedClient; until: number };

const MAX_HELD = 1_000;
const MAX_ID_LENGTH = 1_000;
const g = globalThis as unknown as { __vaultResolvedClients?: Map<string, HeldClient>; __vaultClientFetches?: Map<string, Promise<ResolvedClient>> };
const held = (g.__vaultResolvedClients ??= new Map());
const fetching = (g.__vaultClientFetches ??= new Map());

const UNKNOWN_CLIENT =
  "No client is registered with this client_id: register the client first (POST /api/oauth/register), or use the https URL of its client ID metadata document as its client_id.";

function allowLoopback(): boolean {
  return env().mode === "demo";
}

type ClientRow = {
  id: string;
  kind: string;
  name: string;
  logoUri: string | null;
  clientUri: string | null;
  redirectUris: string[];
  authMethod: string;
  native: boolean;
};

const rowColumns = { id: true, kind: true, name: true, logoUri: true, clientUri: true, redirectUris: true, authMethod: true, native: true } as const;

function toResolved(row: ClientRow): ResolvedClient {
  const authMethod = (
    row.authMethod === PUBLIC_AUTH_METHOD || (SECRET_AUTH_METHODS as readonly string[]).includes(row.authMethod) ? row.authMethod : null
  ) as ClientAuthMethod | null;
  if (!authMethod) throw new ClientError("This client's registration names an authentication method the vault does not support: register it again.");
  return {
    id: row.id,
    kind: row.kind === "metadata_document" ? "metadata_document" : "registered",
    name: row.name,
    logoUri: row.logoUri,
    clientUri: row.clientUri,
    redirectUris: [...row.redirectUris],
    authMethod,
    verified: false,
    native: row.native,
  };
}

function hold(client: ResolvedClient, until: number): void {
  if (held.size >= MAX_HELD) held.delete(held.keys().next().value!);
  held.set(client.id, { client, until });
}

async function fromDocument(clientId: string): Promise<ResolvedClient> {
  const problem = documentIdProblem(clientId, allowLoopback());
  if (problem) throw new ClientError(`The client_id is not a usable metadata document URL: ${problem}.`);
  const now = Date.now();
  const kept = held.get(clientId);
  if (kept && kept.until > now) return kept.client;
  held.delete(clientId);

  // Another instance (or this one, before a restart) may have fetched it a moment ago.
  const db = await getDb();
  const row = await db.oAuthClient.findFirst({
    where: { id: clientId, kind: "metadata_document", metadataExpiresAt: { gt: new Date(now) } },
    select: { ...rowColumns, metadataExpiresAt: true },
  });
  if (row) {
    const client = toResolved(row);
    hold(client, row.metadataExpiresAt!.getTime());
    return client;
  }

  // One fetch per document at a time, however many requests name it.
  let pending = fetching.get(clientId);
  if (!pending) {
    pending = fetchAndRecord(clientId).finally(() => fetching.delete(clientId));
    fetching.set(clientId, pending);
  }
  return pending;
}

async function fetchAndRecord(clientId: string): Promise<ResolvedClient> {
  const { metadata, ttlSeconds } = await fetchMetadataDocument(clientId, { allowLoopback: allowLoopback() });
  const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
  const data = {
    kind: "metadata_document",
    name: metadata.name,
    logoUri: metadata.logoUri,
    clientUri: metadata.clientUri,
    redirectUris: metadata.redirectUris,
    authMethod: PUBLIC_AUTH_METHOD,
    secretHash: null,
    metadataExpiresAt: expiresAt,
    native: metadata.native,
  };
  const db = await getDb();
  const row = await db.oAuthClient.upsert({ where: { id: clientId }, create: { id: clientId, ...data }, update: data, select: rowColumns });
  const client = toResolved(row);
  hold(client, expiresAt.getTime());
  return client;
}

async function fromRegistration(clientId: string): Promise<ResolvedClient> {
  const db = await getDb();
  const row = await db.oAuthClient.findFirst({ where: { id: clientId, kind: "registered" }, select: rowColumns });
  if (!row) throw new ClientError(UNKNOWN_CLIENT);
  return toResolved(row);
}

/** Whether the tenant vouches for the host of this metadata document. */
async function verifiedIn(tenantId: string, client: ResolvedClient): Promise<boolean> {
  if (client.kind !== "metadata_document") return false;
  const db = await getDb();
  const tenant = await db.tenant.findUnique({ where: { id: tenantId }, select: { mcpClientPolicy: true } });
  if (!tenant) return false;
  return readMcpClientPolicy(tenant.mcpClientPolicy).verifiedHosts.includes(new URL(client.id).host.toLowerCase());
}

/**
 * The client this client_id names. `tenantId` (the person's tenant, once known) lets a metadata
 * document's client count as verified when that tenant vouches for its host; without it, no client is.
 * Throws ClientError (400 invalid_client, with a sentence) for an unknown or unusable client.
 */
export async function resolveClient(clientId: string, opts: { tenantId?: string } = {}): Promise<ResolvedClient> {
  if (typeof clientId !== "string" || clientId.length === 0) throw new ClientError("The client_id is missing: send the client's id.");
  if (clientId.length > MAX_ID_LENGTH) throw new ClientError(`The client_id is longer than ${MAX_ID_LENGTH} characters: no client has such an id.`);
  const client = isMetadataDocumentId(clientId) ? await fromDocument(clientId) : await fromRegistration(clientId);
  const verified = opts.tenantId ? await verifiedIn(opts.tenantId, client) : false;
  return { ...client, redirectUris: [...client.redirectUris], verified };
}

/** Exact match, or for a native app a loopback IP redirect URI that differs only in port (RFC 8252 §7.3). */
export function redirectUriAllowed(client: ResolvedClient, redirectUri: string): boolean {
  return redirectUriMatches(client.redirectUris, redirectUri, client.native);
}

const AUTH_FAILED = "Client authentication failed: the client's credentials are missing, wrong, or sent in a way it did not register.";

function basicCredentials(header: string): { id: string; secret: string } | null {
  const match = /^Basic[ ]+([A-Za-z0-9+/]+=*)[ ]*$/i.exec(header);
  if (!match) return null;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  try {
    // RFC 6749 §2.3.1: each part is form-urlencoded before they are joined.
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

/**
 * The token endpoint's check of who is asking, by the method the client registered: a public client
 * ("none") must send no secret at all; a confidential one exactly its secret, by exactly its method,
 * checked against the stored slow hash in constant time. Throws ClientError (invalid_client) otherwise.
 */
export async function authenticateClient(client: ResolvedClient, req: { authorization: string | null; form: URLSearchParams }): Promise<void> {
  const { authorization, form } = req;
  const formId = form.get("client_id");
  if (form.has("client_assertion") || form.has("client_assertion_type")) throw new ClientError(AUTH_FAILED);
  if (form.getAll("client_id").length > 1 || form.getAll("client_secret").length > 1) throw new ClientError(AUTH_FAILED);
  if (formId !== null && formId !== client.id) throw new ClientError(AUTH_FAILED);

  if (client.authMethod === "none") {
    if (authorization !== null || form.has("client_secret")) {
      throw new ClientError("This client is registered as a public client: it authenticates with PKCE alone and must not send a client secret.");
    }
    if (formId === null) throw new ClientError("The client_id is missing: a public client names itself with client_id in the form.");
    return;
  }

  let presented: string;
  if (client.authMethod === "client_secret_basic") {
    if (form.has("client_secret") || authorization === null) throw new ClientError(AUTH_FAILED);
    const basic = basicCredentials(authorization);
    if (!basic || basic.id !== client.id) throw new ClientError(AUTH_FAILED);
    presented = basic.secret;
  } else {
    if (authorization !== null || formId === null) throw new ClientError(AUTH_FAILED);
    presented = form.get("client_secret") ?? "";
  }
  const db = await getDb();
  const row = await db.oAuthClient.findFirst({ where: { id: client.id, kind: "registered" }, select: { secretHash: true, authMethod: true } });
  if (!row?.secretHash || row.authMethod !== client.authMethod) throw new ClientError(AUTH_FAILED);
  const ok = await verifyAgentSecret({ clientId: client.id, secretHash: row.secretHash, previousSecretHash: null, previousSecretExpiresAt: null }, presented);
  if (!ok) throw new ClientError(AUTH_FAILED);
}

/** Drops what this process keeps of one client (its registration changed or it was removed), or of all of them. */
export function forgetResolvedClients(clientId?: string): void {
  if (clientId === undefined) held.clear();
  else held.delete(clientId);
}
