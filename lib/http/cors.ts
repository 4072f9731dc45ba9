import "server-only";
// CORS for MCP clients that run in a browser (MCP Inspector's web UI, claude.ai). Two kinds:
// - public documents (the /.well-known ones): any origin may read them, nothing personal in them;
// - the MCP endpoint and the OAuth endpoints an MCP client calls: only the origins an operator lists
//   in VAULT_MCP_ALLOWED_ORIGINS (`*` for any) get the request's Origin back, with Vary: Origin.
// Never Access-Control-Allow-Credentials: these calls carry a bearer token or a client's own
// credentials, never the portal's cookie, so no page can ride on someone's session through them.
import { env } from "@/lib/env";

/** What an MCP client sends: its token, JSON, the protocol version and (on stateful servers) the session and stream position. */
export const CORS_ALLOW_HEADERS = "authorization, content-type, mcp-protocol-version, mcp-session-id, last-event-id";
/** What it must read: a session id, and the challenge that points it at the authorization server. */
export const CORS_EXPOSE_HEADERS = "mcp-session-id, www-authenticate";
const MAX_AGE_SECONDS = "600";

/** The origin to answer with, or null when `origin` is not on the list. `*` allows any real origin (not the opaque "null"). */
export function allowedOrigin(origin: string | null, allowList: readonly string[] = env().mcpAllowedOrigins): string | null {
  if (!origin || origin === "null") return null;
  return allowList.includes("*") || allowList.includes(origin) ? origin : null;
}

/** The actual answer of a listed-origins endpoint, with the CORS headers its request's origin earns. */
export function withCors(req: Request, res: Response, allowList?: readonly string[]): Response {
  const origin = allowedOrigin(req.headers.get("origin"), allowList);
  try {
    return grant(res, origin);
  } catch {
    // Some responses (a fetch's, Response.redirect's) have immutable headers; a copy does not.
    return grant(new Response(res.body, { status: res.status, statusText: res.statusText, headers: new Headers(res.headers) }), origin);
  }
}

function grant(res: Response, origin: string | null): Response {
  addVary(res.headers, "Origin");
  if (origin) {
    res.headers.set("access-control-allow-origin", origin);
    res.headers.set("access-control-expose-headers", CORS_EXPOSE_HEADERS);
  }
  return res;
}

/** OPTIONS of a listed-origins endpoint: 204, with the CORS grant only for a listed origin (the browser then refuses the call itself). */
export function corsPreflight(req: Request, methods: readonly string[], allowList?: readonly string[]): Response {
  const allow = [...methods, "OPTIONS"].join(", ");
  const headers = new Headers({ allow, vary: "Origin", "cache-control": "no-store" });
  const origin = allowedOrigin(req.headers.get("origin"), allowList);
  if (origin) {
    headers.set("access-control-allow-origin", origin);
    headers.set("access-control-allow-methods", allow);
    headers.set("access-control-allow-headers", CORS_ALLOW_HEADERS);
    headers.set("access-control-max-age", MAX_AGE_SECONDS);
  }
  return new Response(null, { status: 204, headers });
}

/** The header every public document answers with. */
export const PUBLIC_CORS_HEADERS: Readonly<Record<string, string>> = { "access-control-allow-origin": "*" };

/** OPTIONS of a public document: any origin may GET it, with the headers MCP clients add to discovery requests. */
export function publicPreflight(): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...PUBLIC_CORS_HEADERS,
      allow: "GET, OPTIONS",
      "access-control-allow-methods": "GET, OPTIONS",
      "access-control-allow-headers": CORS_ALLOW_HEADERS,
      "access-control-max-age": MAX_AGE_SECONDS,
    },
  });
}

function addVary(headers: Headers, name: string): void {
  const current = headers.get("vary");
  if (!current) headers.set("vary", name);
  else if (!current.split(",").some((v) => v.trim().toLowerCase() === name.toLowerCase())) headers.set("vary", `${current}, ${name}`);
}
