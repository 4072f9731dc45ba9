import "server-only";
// Replacing any echo of a live credential in an upstream answer. Upstreams echo more than you think:
// debugging endpoints reflect the Authorization header, error pages quote the request, redirect
// URLs carry tokens in queries, and "who am I" endpoints return the token they were called with.
// An echo may be spelled differently from the value we sent, so every spelling below is replaced.
// Pure functions over values provider-call.ts hands in for one call; nothing here keeps them.
import { REDACTED } from "@/lib/log/redact";

const MIN_FORM_LENGTH = 8;
// A base64 fragment shorter than this could match unrelated data by chance.
const MIN_BASE64_CORE = 12;

/**
 * Every spelling of `value` to look for: as is, percent-encoded (both hex cases), JSON-escaped (with
 * and without escaped slashes), and base64 in the standard and URL alphabets. Base64 is computed at
 * all three byte alignments and trimmed to the characters that depend on the value alone, so the
 * token is found even inside the base64 of a larger string (`Bearer <token>`, `user:<token>`).
 */
export function echoForms(value: string): string[] {
  const forms = new Set<string>([value]);
  const percent = encodeURIComponent(value);
  forms.add(percent);
  forms.add(percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  const json = JSON.stringify(value).slice(1, -1);
  forms.add(json);
  forms.add(json.replaceAll("/", "\\/"));
  const bytes = Buffer.from(value, "utf8");
  forms.add(bytes.toString("base64"));
  forms.add(bytes.toString("base64url"));
  for (const shift of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]);
    const encoded = shifted.toString("base64");
    // Group 0 mixes in the shift bytes; the trailing partial group depends on what follows the value.
    const core = encoded.slice(shift === 0 ? 0 : 4, Math.floor(shifted.length / 3) * 4);
    if (core.length >= MIN_BASE64_CORE) {
      forms.add(core);
      forms.add(core.replaceAll("+", "-").replaceAll("/", "_"));
    }
  }
  return [...forms].filter((f) => f.length >= MIN_FORM_LENGTH);
}

/** All forms of all values, longest first, so a form containing another is replaced whole. */
export function echoNeedles(values: Iterable<string>): string[] {
  const all = new Set<string>();
  for (const v of values) if (v.length >= MIN_FORM_LENGTH) for (const f of echoForms(v)) all.add(f);
  return [...all].sort((a, b) => b.length - a.length);
}

export function scrubText(text: string, needles: readonly string[]): string {
  let out = text;
  for (const n of needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
  return out;
}

/** Byte-level, so a binary or oddly encoded body is scrubbed without being decoded and re-encoded. */
export function scrubBytes(body: Buffer, needles: readonly string[]): Buffer {
  let out = body;
  const marker = Buffer.from(REDACTED);
  for (const n of needles) {
    const needle = Buffer.from(n, "utf8");
    let at = out.indexOf(needle);
    if (at === -1) continue;
    const parts: Buffer[] = [];
    let from = 0;
    while (at !== -1) {
      parts.push(out.subarray(from, at), marker);
      from = at + needle.length;
      at = out.indexOf(needle, from);
    }
    parts.push(out.subarray(from));
    out = Buffer.concat(parts);
  }
  return out;
}
