// RFC 9457 problem+json answers with a stable machine `code` (CONTRACT.md, "Errors").
import { NextResponse } from "next/server";

export type ProblemInit = { status: number; code: string; title: string; detail: string; headers?: HeadersInit };

export function problem({ status, code, title, detail, headers }: ProblemInit): NextResponse {
  return NextResponse.json(
    { type: `urn:tokenvault:problem:${code}`, title, status, detail, code },
    { status, headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...Object.fromEntries(new Headers(headers)) } },
  );
}
