import "server-only";
// The raw proxy (POST /api/v1/proxy): an agent names a method and a path relative to the provider's
// API base; the vault checks the path and headers before anything else (SSRF forms are refused with
// 400 before a credential or the network is touched), asks the PDP, makes the call and relays the
// status, the allow-listed headers and the body. Redirects come back as they are, never followed.
import type { DelegationCaller } from "@/lib/oauth-server/bearer";
import {
  allowedRequestHeaders,
  allowedResponseHeaders,
  buildUpstreamUrl,
  checkProxyPath,
  encodeBody,
  type ProxyRequestBody,
} from "@/lib/orchestration/proxy-request";

import { proxyRequest } from "@/lib/approvals/request";

import type { CredentialKind } from "./credential";
import { actionInFlight } from "./in-flight";
import { completeAction, performCall, type BuildRequest } from "./perform";

/** How `data` holds the provider's body: parsed JSON, text, base64 of binary bytes, or nothing (null). */
export type DataEncoding = "json" | "text" | "base64" | "none";

export type ProxyResult = {
  status: number;
  headers: Record<string, string>;
  data: unknown;
  encoding: DataEncoding;
  credential: CredentialKind;
  receipt: string;
};

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;
const TEXT_TYPE = /^(?:text\/|application\/(?:[\w.+-]+\+)?(?:xml|javascript|x-www-form-urlencoded)\b)/i;

export function decodeData(contentType: string | undefined, body: Buffer): { data: unknown; encoding: DataEncoding } {
  if (body.length === 0) return { data: null, encoding: "none" };
  const type = contentType?.trim() ?? "";
  let text: string | null;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch {
    text = null;
  }
  if (text !== null && JSON_TYPE.test(type)) {
    try {
      return { data: JSON.parse(text) as unknown, encoding: "json" };
    } catch {
      // Declared JSON but not: relayed as the text it is.
    }
  }
  if (text !== null && (type === "" || JSON_TYPE.test(type) || TEXT_TYPE.test(type))) return { data: text, encoding: "text" };
  return { data: body.toString("base64"), encoding: "base64" };
}

export type ProxyOptions = { requestId: string; approvalReference?: string | null };

export function runProxy(caller: DelegationCaller, req: ProxyRequestBody, opts: ProxyOptions): Promise<ProxyResult> {
  return actionInFlight(() => proxyOnce(caller, req, opts));
}

async function proxyOnce(caller: DelegationCaller, req: ProxyRequestBody, opts: ProxyOptions): Promise<ProxyResult> {
  // Each throws a ProxyRequestError (400) before any credential or the network is touched.
  checkProxyPath(req.path);
  const headers = allowedRequestHeaders(req.headers);
  const encoded = encodeBody(req.method, req.body, headers["content-type"]);
  if (encoded.contentType) headers["content-type"] = encoded.contentType;

  const build: BuildRequest = (def, connection) => ({
    method: req.method,
    path: req.path,
    url: buildUpstreamUrl(def, connection.metadata, req.path, req.query),
    headers,
    body: encoded.bytes,
  });
  const run = await performCall(
    caller,
    { kind: "proxy", method: req.method, path: req.path },
    build,
    { requestId: opts.requestId, channel: "api", approvalReference: opts.approvalReference },
    proxyRequest(req),
  );
  const { data, encoding } = decodeData(run.response.headers["content-type"], run.response.body);
  const { receipt } = await completeAction(run, data, run.response.status < 400 ? "success" : "failure");
  return { status: run.response.status, headers: allowedResponseHeaders(run.response.headers), data, encoding, credential: run.credential.kind, receipt };
}
