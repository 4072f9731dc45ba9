import "server-only";
// What an agent may ask the raw proxy to send (CONTRACT.md, `POST /api/v1/proxy`). The path is
// joined under the provider's API base and nowhere else: absolute URLs, `//host`, `..` and `.` in
// any encoding, `@`, backslashes, control characters, and a query or fragment smuggled into the path
// are refused before any credential is touched. Headers pass only from allow-lists, both ways.
import { z } from "zod";
import { httpMethod } from "@/lib/agents/ceiling";
import { VaultError } from "@/lib/errors";
import { ApiBaseError, resolveApiBase, underApiBase } from "@/lib/providers/api-base";
import type { ProviderDefinition } from "@/lib/providers/schemas";

/** A request the raw proxy will not send (400), or a connection whose details name no API (409). */
export class ProxyRequestError extends VaultError {
  declare readonly code: "path_refused" | "header_refused" | "body_refused" | "api_base_unavailable";
  constructor(message: string, code: "path_refused" | "header_refused" | "body_refused" | "api_base_unavailable") {
    super(code === "api_base_unavailable" ? 409 : 400, code, message);
    this.name = "ProxyRequestError";
  }
}

const MAX_PATH = 2048;
export const MAX_PROXY_BODY_BYTES = 1_000_000;

export const proxyRequestBody = z
  .object({
    method: httpMethod,
    path: z.string().min(1).max(MAX_PATH),
    query: z.record(z.string().max(200), z.union([z.string().max(4000), z.array(z.string().max(4000)).max(50)])).optional(),
    headers: z.record(z.string().max(100), z.string().max(4000)).optional(),
    body: z.unknown().optional(),
  })
  .strict();

export type ProxyRequestBody = z.output<typeof proxyRequestBody>;

/** Headers an agent may send upstream. Credentials, cookies, hosts and hop-by-hop headers never. */
export const REQUEST_HEADERS = new Set([
  "accept",
  "accept-language",
  "content-type",
  "if-match",
  "if-none-match",
  "if-modified-since",
  "if-unmodified-since",
  "x-github-api-version",
  "notion-version",
  "linear-client-version",
  "x-atlassian-token",
]);

/** Headers an agent may see from upstream. Set-Cookie, auth challenges and server internals never. */
export const RESPONSE_HEADERS = new Set([
  "content-type",
  "content-language",
  "etag",
  "last-modified",
  "cache-control",
  "link",
  "location",
  "retry-after",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
  "x-ratelimit-used",
  "x-total-count",
]);

// Control characters are exactly what this refuses.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function refusePath(why: string): never {
  throw new ProxyRequestError(`The path ${why}: give a path relative to the provider's API, like /tasks or /repos/octo/hello/issues.`, "path_refused");
}

/** Percent-decodes until stable (at most 3 rounds): `%252e` must not become `.` one hop later. */
function fullyDecoded(segment: string): string {
  let current = segment;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      refusePath("holds a malformed percent-encoding");
    }
    if (next === current) return current;
    current = next;
  }
  if (/%[0-9a-f]{2}/i.test(current)) refusePath("is encoded more than three times");
  return current;
}

/** The path, checked; returned unchanged (the agent's own encoding is kept for the upstream). */
export function checkProxyPath(path: string): string {
  if (CONTROL.test(path)) refusePath("contains a control character");
  if (/\s/.test(path)) refusePath("contains whitespace (percent-encode it)");
  if (path.includes("\\")) refusePath("contains a backslash");
  if (path.includes("@")) refusePath("contains @, which can name another host");
  if (path.includes("?") || path.includes("#")) refusePath("contains ? or # (send query parameters in `query`)");
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) refusePath("is an absolute URL");
  if (!path.startsWith("/")) refusePath("must start with /");
  if (path.startsWith("//")) refusePath("starts with //, which names another host");
  const segments = path.slice(1).split("/");
  segments.forEach((raw, i) => {
    if (raw === "" && i !== segments.length - 1) refusePath("contains an empty segment (//)");
    const decoded = fullyDecoded(raw);
    if (decoded === "." || decoded === "..") refusePath("climbs with . or .. (in some encoding)");
    if (CONTROL.test(decoded)) refusePath("contains an encoded control character");
    if (/[\\/@?#]/.test(decoded)) refusePath("hides a /, \\, @, ? or # in percent-encoding");
  });
  return path;
}

/** The upstream URL: the connection's API base (placeholders filled) + the checked path + the query. */
export function buildUpstreamUrl(def: ProviderDefinition, metadata: Record<string, unknown>, path: string, query?: ProxyRequestBody["query"]): URL {
  checkProxyPath(path);
  let base: URL;
  try {
    base = resolveApiBase(def, metadata);
  } catch (error) {
    if (error instanceof ApiBaseError) throw new ProxyRequestError(error.message, "api_base_unavailable");
    throw error;
  }
  // Belt and braces: whatever the parsing above missed, the call must stay under the base.
  const joined = underApiBase(def, base, path);
  if ("leaves" in joined) refusePath(joined.leaves === "host" ? "leads away from the provider's API host" : "leads outside the provider's API base");
  const { url } = joined;
  for (const [key, value] of Object.entries(query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, v);
  }
  return url;
}

export function allowedRequestHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.trim().toLowerCase();
    if (!REQUEST_HEADERS.has(key)) {
      throw new ProxyRequestError(`The header "${name}" may not be sent through the vault; allowed: ${[...REQUEST_HEADERS].join(", ")}.`, "header_refused");
    }
    if (CONTROL.test(value)) throw new ProxyRequestError(`The header "${name}" contains a control character.`, "header_refused");
    out[key] = value;
  }
  return out;
}

export function allowedResponseHeaders(headers: Headers | Record<string, string>): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) if (RESPONSE_HEADERS.has(name.toLowerCase())) out[name.toLowerCase()] = value;
  return out;
}

/** The request body as bytes, with a content type when the agent sent JSON; capped. */
export function encodeBody(method: string, body: unknown, contentType?: string): { bytes?: Buffer; contentType?: string } {
  if (body === undefined || body === null) return {};
  if (method === "GET" || method === "HEAD") throw new ProxyRequestError(`A ${method} request cannot carry a body.`, "body_refused");
  const isText = typeof body === "string";
  const bytes = Buffer.from(isText ? body : JSON.stringify(body), "utf8");
  if (bytes.length > MAX_PROXY_BODY_BYTES) throw new ProxyRequestError(`The body is larger than ${MAX_PROXY_BODY_BYTES} bytes.`, "body_refused");
  return { bytes, contentType: contentType ?? (isText ? "text/plain; charset=utf-8" : "application/json") };
}
