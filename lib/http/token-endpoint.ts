import "server-only";
// POST /api/oauth/token end to end: a form-encoded body only, each parameter at most once, then
// client authentication, then the grant. Every answer is RFC 6749 JSON with `Cache-Control:
// no-store`; bad input of any kind is a 4xx, and only a fault on our side is a 500. Pages of the
// origins in VAULT_MCP_ALLOWED_ORIGINS may call it (CORS): browser-based MCP clients redeem codes here.
import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import { corsPreflight, withCors } from "@/lib/http/cors";
import { log } from "@/lib/log";
import { observeRequest } from "@/lib/monitor/series";

import { attemptedMethods, authenticateClient, type TokenClient } from "@/lib/oauth-server/client-auth";
import { oauthErrorResponse, tokenEndpointJson } from "@/lib/http/oauth-response";
import { OAuthError } from "@/lib/oauth-server/errors";
import { exchangeDelegation, issueClientCredentials, StaleGrantError } from "@/lib/oauth-server/token-exchange";
import { clientGrant } from "@/lib/oauth-server/client-grants";
import { AUTHORIZATION_CODE_GRANT, CLIENT_CREDENTIALS_GRANT, REFRESH_TOKEN_GRANT, TOKEN_EXCHANGE_GRANT } from "@/lib/oauth-server/tokens";

const MAX_BODY_BYTES = 32 * 1024;
/** RFC 8693 lets these repeat (several targets); RFC 6749 §3.2 forbids repeating any other. */
const REPEATABLE = new Set(["resource", "audience"]);
const MAX_STALE_RETRIES = 5;

export async function handleTokenRequest(req: Request): Promise<Response> {
  const startedAt = performance.now();
  const res = withCors(req, await answerTokenRequest(req));
  observeRequest("token", req, res.status, startedAt);
  return res;
}

/** OPTIONS /api/oauth/token: the CORS preflight of a browser-based client. */
export function handleTokenPreflight(req: Request): Response {
  return corsPreflight(req, ["POST"]);
}

async function answerTokenRequest(req: Request): Promise<Response> {
  let basicAttempted = false;
  try {
    const form = await readForm(req);
    // OAuth clients a person connected (MCP clients) are not agents: they authenticate as themselves.
    const type = form.get("grant_type");
    if (type === AUTHORIZATION_CODE_GRANT || type === REFRESH_TOKEN_GRANT) return tokenEndpointJson(await clientGrant(req, form));
    basicAttempted = attemptedMethods(req, form).includes("client_secret_basic");
    // First on this process's copies of the rows; a decision the audit writer finds stale (the policy
    // changed meanwhile, here or on another instance) is made again on rows read now.
    for (let attempt = 0; ; attempt++) {
      const cached = attempt === 0;
      const client = await authenticateClient(req, form, { cached, again: !cached });
      try {
        return tokenEndpointJson(await grant(client, form, cached));
      } catch (e) {
        if (!(e instanceof StaleGrantError) || attempt >= MAX_STALE_RETRIES) throw e;
      }
    }
  } catch (e) {
    if (e instanceof OAuthError) return oauthErrorResponse(e, { basicAttempted });
    if (isDatabaseUnavailable(e)) {
      log.warn({ err: e }, "the database is not answering");
      return Response.json(
        { error: "temporarily_unavailable", error_description: "The vault's database is not answering right now: try again in a few seconds." },
        { status: 503, headers: { "retry-after": "5", "cache-control": "no-store", pragma: "no-cache" } },
      );
    }
    log.error({ err: e }, "token endpoint failed");
    return oauthErrorResponse(new OAuthError("server_error", "Something went wrong on our side: try again shortly."));
  }
}

async function grant(client: TokenClient, form: URLSearchParams, cached: boolean) {
  const type = form.get("grant_type");
  if (!type) throw new OAuthError("invalid_request", "grant_type is missing.");
  if (type === TOKEN_EXCHANGE_GRANT) return exchangeDelegation(client, form, { cached });
  if (type === CLIENT_CREDENTIALS_GRANT) return issueClientCredentials(client, form);
  throw new OAuthError(
    "unsupported_grant_type",
    `This vault supports the grant types ${TOKEN_EXCHANGE_GRANT}, ${CLIENT_CREDENTIALS_GRANT}, ${AUTHORIZATION_CODE_GRANT} and ${REFRESH_TOKEN_GRANT}.`,
  );
}

async function readForm(req: Request): Promise<URLSearchParams> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new OAuthError("invalid_request", "The token endpoint takes a form: send Content-Type application/x-www-form-urlencoded.");
  }
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > MAX_BODY_BYTES) throw new OAuthError("invalid_request", "The request body is too large.");
  let text: string;
  try {
    const bytes = new Uint8Array(await req.arrayBuffer());
    if (bytes.byteLength > MAX_BODY_BYTES) throw new OAuthError("invalid_request", "The request body is too large.");
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (e) {
    if (e instanceof OAuthError) throw e;
    throw new OAuthError("invalid_request", "The request body could not be read as UTF-8 form data.");
  }
  const form = new URLSearchParams(text);
  const seen = new Set<string>();
  for (const key of form.keys()) {
    if (seen.has(key) && !REPEATABLE.has(key))
      throw new OAuthError("invalid_request", `The parameter ${JSON.stringify(key.slice(0, 40))} appears more than once.`);
    seen.add(key);
  }
  return form;
}
