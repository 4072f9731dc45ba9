// RFC 9457 problem+json answers with a stable machine `code` (CONTRACT.md, "Errors"): `toProblem()`
// is how every route wrapper answers a VaultError (lib/errors.ts), the one error type.
import { NextResponse } from "next/server";

import { isDatabaseUnavailable } from "@/lib/db/unavailable";
import type { VaultError } from "@/lib/errors";
import { log } from "@/lib/log";

export type ProblemInit = { status: number; code: string; title: string; detail: string; headers?: HeadersInit; extensions?: VaultError["extensions"] };

export function problem({ status, code, title, detail, headers, extensions = {} }: ProblemInit): NextResponse {
  const head: Record<string, string> = { "content-type": "application/problem+json", "cache-control": "no-store" };
  // Ask a caller to come back shortly rather than at once.
  if (status === 503) head["retry-after"] = "5";
  // The standard members come last, so an extension can never overwrite them.
  return NextResponse.json(
    { ...extensions, type: `urn:tokenvault:problem:${code}`, title, status, detail, code },
    { status, headers: { ...head, ...Object.fromEntries(new Headers(headers)) } },
  );
}

/** The answer to a VaultError: its status, code, title, sentence, extension members and headers. */
export function toProblem(error: VaultError, headers: Record<string, string> = {}): NextResponse {
  return problem({
    status: error.status,
    code: error.code,
    title: error.title,
    detail: error.message,
    extensions: error.extensions,
    headers: { ...error.headers, ...headers },
  });
}

/**
 * The answer to an unexpected failure that is the database not answering: logged as that (with
 * where it happened), then 503 with Retry-After; otherwise null, for the caller's own 500.
 */
export function unavailableProblem(error: unknown, where: Record<string, unknown> = {}): NextResponse | null {
  if (!isDatabaseUnavailable(error)) return null;
  log.warn({ err: error, ...where }, "the database is not answering");
  return problem({
    status: 503,
    code: "database_unavailable",
    title: "Temporarily unavailable",
    detail: "The vault's database is not answering right now: try again in a few seconds.",
  });
}
