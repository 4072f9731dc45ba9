import "server-only";
// POST /api/oauth/register end to end (RFC 7591): throttled per source address first, then a JSON
// object of client metadata only, then the registration. Answers are RFC 7591 JSON, never cached:
// 201 with the client information, 400 `{ error: invalid_redirect_uri | invalid_client_metadata,
// error_description }` for bad input of any kind, 429 with Retry-After once an address registered
// too often. Only a fault on our side is a 500. Browser-based clients on an origin listed in
// VAULT_MCP_ALLOWED_ORIGINS may call it (CORS, like the token endpoint and /api/mcp).
import { corsPreflight, withCors } from "@/lib/http/cors";
import { log } from "@/lib/log";
import { RegistrationError } from "@/lib/oauth-clients/errors";
import { registerClient } from "@/lib/oauth-clients/registration";
import { registrationWait } from "@/lib/oauth-clients/registration-throttle";
import { sourceAddress } from "@/lib/oauth-server/throttle";

const MAX_BODY_BYTES = 16 * 1024;
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" } as const;

function answer(body: object, status: number, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { ...NO_STORE, ...headers } });
}

function refusal(error: string, description: string, status = 400, headers: Record<string, string> = {}): Response {
  return answer({ error, error_description: description }, status, headers);
}

async function readBody(req: Request): Promise<unknown> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    throw new RegistrationError("invalid_client_metadata", "The registration request must be JSON: send Content-Type application/json.");
  }
  if (Number(req.headers.get("content-length") ?? 0) > MAX_BODY_BYTES)
    throw new RegistrationError("invalid_client_metadata", "The client metadata is too large.");
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw new RegistrationError("invalid_client_metadata", "The client metadata is too large.");
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new RegistrationError("invalid_client_metadata", "The registration request is not valid JSON: send a JSON object of client metadata.");
  }
}

export async function handleRegistration(req: Request): Promise<Response> {
  return withCors(req, await answerRegistration(req));
}

/** OPTIONS /api/oauth/register: the CORS preflight of a browser-based client. */
export function handleRegistrationPreflight(req: Request): Response {
  return corsPreflight(req, ["POST"]);
}

async function answerRegistration(req: Request): Promise<Response> {
  try {
    const wait = await registrationWait(sourceAddress(req));
    if (wait > 0) {
      log.warn({ address: sourceAddress(req) }, "client registration throttled");
      return refusal("temporarily_unavailable", `Too many client registrations from this address: wait ${wait} seconds before trying again.`, 429, {
        "retry-after": String(wait),
      });
    }
    return answer(await registerClient(await readBody(req)), 201);
  } catch (e) {
    if (e instanceof RegistrationError) return refusal(e.code, e.message);
    log.error({ err: e }, "client registration failed");
    return refusal("server_error", "Something went wrong on our side: try again shortly.", 500);
  }
}
