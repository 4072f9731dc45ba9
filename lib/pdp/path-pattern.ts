// Path patterns for capability ceilings and delegation constraints. A pattern is an absolute path of
// segments where `*` stands for exactly one segment and `**` (only as the last segment) for any
// number of segments, including none: `/tasks`, `/tasks/*`, `/repos/*/issues/**`.
// Matching is on decoded-safe, normalised paths only; the proxy refuses anything else before the PDP
// ever sees it, and this module refuses it again so a pattern can never match `..` or `//`.
import { z } from "zod";

const SEGMENT = /^(?:\*\*|\*|[A-Za-z0-9._~!$&'()+,;=:@-]+)$/;

export const pathPattern = z
  .string()
  .trim()
  .max(200)
  .refine((p) => {
    if (!p.startsWith("/")) return false;
    if (p === "/") return true;
    const parts = p.slice(1).split("/");
    return parts.every((s, i) => SEGMENT.test(s) && s !== "." && s !== ".." && (s !== "**" || i === parts.length - 1));
  }, "must be a path like `/tasks`, `/tasks/*` or `/repos/*/issues/**` (`*` is one segment, `**` only at the end)");

/** A request path the PDP will reason about: absolute, no empty, `.` or `..` segments, no `%2e`-style tricks. */
export function isNormalPath(path: string): boolean {
  if (!path.startsWith("/") || path.startsWith("//")) return false;
  // Backslashes and control characters are exactly what this refuses.
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(path) || /%(?:2e|2f|5c)/i.test(path)) return false;
  const parts = path.slice(1).split("/");
  if (path !== "/" && parts.some((s, i) => s === "." || s === ".." || (s === "" && i !== parts.length - 1))) return false;
  return true;
}

export function matchPath(pattern: string, path: string): boolean {
  if (!isNormalPath(path)) return false;
  const pat = pattern === "/" ? [] : pattern.slice(1).split("/");
  const segs = path === "/" ? [] : path.slice(1).replace(/\/$/, "").split("/");
  for (let i = 0; i < pat.length; i++) {
    const p = pat[i]!;
    if (p === "**") return true;
    const s = segs[i];
    if (s === undefined) return false;
    if (p !== "*" && p !== s) return false;
  }
  return segs.length === pat.length;
}

export function matchAny(patterns: readonly string[], path: string): boolean {
  return patterns.some((p) => matchPath(p, path));
}
