import "server-only";
// GET /api/oauth/authorize (OAuth 2.1 authorization code with PKCE, for OAuth clients a person
// connects, such as MCP clients): checks the request, keeps it for ten minutes and sends the browser
// to the portal's consent page, which signs the person in first. Until the client and its redirect
// URI are known to belong together nothing is redirected anywhere (RFC 6749 §4.1.2.1): the browser
// gets a page saying what is wrong. After that, refusals go back to the client as `error=` redirects.
import { randomBytes } from "node:crypto";

import { getDb } from "@/lib/db";
import { mcpResourceUrl } from "@/lib/mcp/resource";
import { redirectUriAllowed, resolveClient, type ResolvedClient } from "@/lib/oauth-clients/resolve";
import { VaultError } from "@/lib/errors";

import { vaultIssuer } from "./issuer";
import { MCP_SCOPE } from "./tokens";

/** How long a person has to sign in and decide. */
export const REQUEST_SECONDS = 600;
// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is exactly 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_STATE = 500;

export type AuthorizeOutcome =
  /** Continue on the consent page. */
  | { kind: "consent"; requestId: string }
  /** Back to the client with an error (its redirect URI is known good). */
  | { kind: "redirect"; location: string }
  /** Nowhere safe to send the browser: show the sentence. */
  | { kind: "page"; status: number; title: string; detail: string };

export class AuthorizeError extends VaultError {
  constructor(
    readonly error: "invalid_request" | "unsupported_response_type" | "invalid_scope" | "invalid_target" | "access_denied" | "server_error",
    detail: string,
  ) {
    super(400, error, detail);
    this.name = "AuthorizeError";
  }
}

export async function startAuthorization(params: URLSearchParams, now = new Date()): Promise<AuthorizeOutcome> {
  for (const key of new Set(params.keys())) {
    if (params.getAll(key).length > 1) return page(`The parameter ${JSON.stringify(key.slice(0, 40))} appears more than once.`);
  }
  const clientId = params.get("client_id");
  if (!clientId) return page("client_id is missing: the application that sent you here did not say who it is.");
  let client: ResolvedClient;
  try {
    client = await resolveClient(clientId);
  } catch (e) {
    if (e instanceof VaultError && e.status < 500) return page(`The application that sent you here is not one the vault can accept: ${e.message}`);
    throw e;
  }
  const given = params.get("redirect_uri");
  const redirectUri = given ?? (client.redirectUris.length === 1 ? client.redirectUris[0]! : null);
  if (!redirectUri) return page(`${client.name} did not say where to send you back (redirect_uri), and it registered several places.`);
  if (!redirectUriAllowed(client, redirectUri)) {
    return page(`${client.name} asked to send you back to an address it did not register (${redirectUri.slice(0, 200)}), so the vault stopped here.`);
  }

  const state = params.get("state");
  const back = (error: AuthorizeError) => ({ kind: "redirect" as const, location: errorRedirect(redirectUri, error, state) });
  try {
    if (state !== null && state.length > MAX_STATE) throw new AuthorizeError("invalid_request", "state is too long.");
    const responseType = params.get("response_type");
    if (responseType !== "code") throw new AuthorizeError("unsupported_response_type", 'Only response_type "code" is supported.');
    const challenge = params.get("code_challenge");
    const method = params.get("code_challenge_method");
    if (!challenge) throw new AuthorizeError("invalid_request", "PKCE is required: send code_challenge with code_challenge_method S256.");
    if (method !== "S256") throw new AuthorizeError("invalid_request", "Only the PKCE method S256 is accepted (plain is not).");
    if (!S256_CHALLENGE.test(challenge)) throw new AuthorizeError("invalid_request", "code_challenge is not an S256 challenge (43 base64url characters).");
    const resource = readResource(params.get("resource"));
    const scope = readScope(params.get("scope"));

    const db = await getDb();
    const id = randomBytes(18).toString("base64url");
    await db.authorizationRequest.deleteMany({ where: { expiresAt: { lt: now } } });
    await db.authorizationRequest.create({
      data: {
        id,
        clientId: client.id,
        redirectUri,
        state,
        codeChallenge: challenge,
        resource,
        scope,
        expiresAt: new Date(now.getTime() + REQUEST_SECONDS * 1000),
      },
    });
    return { kind: "consent", requestId: id };
  } catch (e) {
    if (e instanceof AuthorizeError) return back(e);
    throw e;
  }
}

/** The client's redirect URI with `error`, its description, the client's state and RFC 9207 `iss`. */
export function errorRedirect(redirectUri: string, error: AuthorizeError, state: string | null): string {
  const url = new URL(redirectUri);
  url.searchParams.set("error", error.error);
  url.searchParams.set("error_description", error.message);
  if (state !== null) url.searchParams.set("state", state);
  url.searchParams.set("iss", vaultIssuer());
  return url.toString();
}

/** The client's redirect URI with the code, its state and RFC 9207 `iss`. */
export function codeRedirect(redirectUri: string, code: string, state: string | null): string {
  const url = new URL(redirectUri);
  url.searchParams.set("code", code);
  if (state !== null) url.searchParams.set("state", state);
  url.searchParams.set("iss", vaultIssuer());
  return url.toString();
}

/** RFC 8707: the only resource this vault issues client tokens for is its MCP endpoint. */
export function readResource(raw: string | null): string {
  const mcp = mcpResourceUrl();
  // Clients that predate RFC 8707 in MCP send none; the token is still only for the MCP endpoint.
  if (raw === null || raw === mcp || raw === `${mcp}/`) return mcp;
  throw new AuthorizeError("invalid_target", `This vault issues tokens only for its MCP server: set resource to ${mcp}.`);
}

// RFC 6749 §3.3 lets the server grant less than asked: other scopes some clients send out of habit
// (openid, profile...) are dropped rather than refused, and the answer's scope says "mcp".
function readScope(raw: string | null): string {
  if (raw !== null && (raw.length > 1000 || !/^[\x21\x23-\x5B\x5D-\x7E ]*$/.test(raw))) {
    throw new AuthorizeError("invalid_scope", "scope must be space-separated scope names.");
  }
  return MCP_SCOPE;
}

function page(detail: string): AuthorizeOutcome {
  return { kind: "page", status: 400, title: "This sign-in request cannot continue", detail };
}
