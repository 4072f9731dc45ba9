import "server-only";
// Some providers answer the token endpoint in their own shape: Slack puts the person's token under
// `authed_user` (with `token_type: "user"`) and reports errors as HTTP 200 `{ ok: false, error }`.
// The catalogue names where the token set sits (`tokenResponsePath`); this fetch wrapper rewrites the
// answer into RFC 6749's shape before oauth4webapi validates it, so every later step stays standard.
import { readJsonPath } from "@/lib/providers/api-base";

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** RFC 6749 token response from a provider's own shape; null when it is not that shape. */
export function flattenTokenResponse(body: unknown, path: string): { status: number; json: Record<string, unknown> } | null {
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const outer = body as Record<string, unknown>;
  if (outer.ok === false) {
    const error = typeof outer.error === "string" && outer.error ? outer.error : "invalid_request";
    return { status: 400, json: { error, error_description: `The provider refused the request (${error}).` } };
  }
  const nested = readJsonPath(outer, path);
  if (!nested || typeof nested !== "object" || Array.isArray(nested)) return null;
  const inner = nested as Record<string, unknown>;
  if (typeof inner.access_token !== "string") return null;
  // The outer fields (team, enterprise...) stay for metadata steps; the nested token set wins, and a
  // top-level bot token cannot stand in for the person's.
  return { status: 200, json: { ...outer, ...inner, token_type: "bearer" } };
}

export function tokenResponseFetch(path: string, base: Fetch = fetch): Fetch {
  return async (url, init) => {
    const res = await base(url, init);
    if (!(res.headers.get("content-type") ?? "").includes("json")) return res;
    const body: unknown = await res
      .clone()
      .json()
      .catch(() => null);
    const flat = flattenTokenResponse(body, path);
    if (!flat) return res;
    return new Response(JSON.stringify(flat.json), { status: flat.status, headers: { "content-type": "application/json", "cache-control": "no-store" } });
  };
}
