// The echo scrub on its own: every spelling of a token, at every base64 alignment, inside text and
// inside binary, is replaced; unrelated content is left alone.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { REDACTED } from "@/lib/log/redact";
import { echoForms, echoNeedles, scrubBytes, scrubText } from "@/lib/vault/call/echo-scrub";

const token = "Ab3/dE+fGh_ij-KLmn0pQRstu.VWxyz~12345678";

/** Every `size`-character run of base64 that encodes token bytes only, at the three alignments. */
function tokenBase64Windows(encoding: "base64" | "base64url", size: number): string[] {
  const out: string[] = [];
  for (const shift of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(shift), Buffer.from(token)]);
    const core = shifted.toString(encoding).slice(shift ? 4 : 0, Math.floor(shifted.length / 3) * 4);
    for (let i = 0; i + size <= core.length; i += 4) out.push(core.slice(i, i + size));
  }
  return out;
}

describe("echo scrub", () => {
  it("lists the raw, percent-encoded, JSON-escaped and base64 spellings", () => {
    const forms = echoForms(token);
    expect(forms).toContain(token);
    expect(forms).toContain(encodeURIComponent(token));
    expect(forms).toContain(encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    expect(forms).toContain(token.replaceAll("/", "\\/"));
    expect(forms).toContain(Buffer.from(token).toString("base64"));
    expect(forms).toContain(Buffer.from(token).toString("base64url"));
  });

  it("finds the token inside the base64 of any larger string, at each of the three alignments", () => {
    const needles = echoNeedles([token]);
    for (const prefix of ["", "x", "xy", "Bearer ", "user:", '{"token":"']) {
      for (const suffix of ["", "!", '"}']) {
        for (const encoding of ["base64", "base64url"] as const) {
          const encoded = Buffer.from(prefix + token + suffix).toString(encoding);
          const scrubbed = scrubText(`see ${encoded} here`, needles);
          expect(scrubbed, `${encoding} of ${JSON.stringify(prefix)}+token+${JSON.stringify(suffix)}`).toContain(REDACTED);
          // What remains holds no run of the token's own base64 long enough to decode 6 token bytes.
          for (const window of tokenBase64Windows(encoding, 8)) expect(scrubbed).not.toContain(window);
        }
      }
    }
  });

  it("scrubs bytes without decoding them, and leaves everything else as it was", () => {
    const noise = randomBytes(64);
    const body = Buffer.concat([noise, Buffer.from(token), noise, Buffer.from(encodeURIComponent(token)), Buffer.from("tail")]);
    const out = scrubBytes(body, echoNeedles([token]));
    expect(out.includes(Buffer.from(token))).toBe(false);
    expect(out.subarray(0, 64).equals(noise)).toBe(true);
    expect(out.subarray(out.length - 4).toString()).toBe("tail");
    expect(out.toString("latin1").split(REDACTED)).toHaveLength(3);
  });

  it("ignores values too short to be credentials rather than blanking common words", () => {
    expect(echoNeedles(["abc"])).toEqual([]);
    expect(scrubText("abc def", echoNeedles(["abc"]))).toBe("abc def");
  });
});
