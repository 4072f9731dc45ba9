// What an approval is for: the canonical hash and the person-readable summary of one request, built
// from what the agent asked (tool and input, or method, path, query and body), before anything is
// sent. Pure. The hash is SHA-256 of the canonical JSON (keys sorted at every depth), so the same
// request hashes the same however its keys are ordered, and any change in input, query or body does not.
import { createHash } from "node:crypto";

import { canonicalJson } from "@/lib/audit/chain";
import type { HttpMethod } from "@/lib/tools/tool";

/** One request as an approval records it. `input` for tools; `query` and `bodySummary` for the proxy. */
export type ApprovalRequest = {
  hash: string;
  kind: "tool" | "proxy";
  tool: string | null;
  input: unknown;
  method: HttpMethod;
  path: string;
  query: Record<string, unknown> | null;
  bodySummary: string | null;
};

const SUMMARY_CHARS = 2000;

function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function toolRequest(tool: string, input: unknown, sent: { method: HttpMethod; path: string }): ApprovalRequest {
  return {
    hash: sha256(canonicalJson({ kind: "tool", tool, input: input ?? null })),
    kind: "tool",
    tool,
    input: input ?? null,
    method: sent.method,
    path: sent.path,
    query: null,
    bodySummary: null,
  };
}

export function proxyRequest(req: { method: HttpMethod; path: string; query?: Record<string, unknown>; body?: unknown }): ApprovalRequest {
  return {
    hash: sha256(canonicalJson({ kind: "proxy", method: req.method, path: req.path, query: req.query ?? {}, body: req.body ?? null })),
    kind: "proxy",
    tool: null,
    input: null,
    method: req.method,
    path: req.path,
    query: req.query && Object.keys(req.query).length > 0 ? req.query : null,
    bodySummary: summarizeBody(req.body),
  };
}

/** The body as the person reads it: the JSON (or text) itself, cut at 2,000 characters with the full length said. */
export function summarizeBody(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  const text = typeof body === "string" ? body : canonicalJson(body);
  if (text.length <= SUMMARY_CHARS) return text;
  return `${text.slice(0, SUMMARY_CHARS)}… (${text.length} characters in all)`;
}
