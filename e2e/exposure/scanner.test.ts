// The zero-exposure scanner must find a secret in every encoding it claims to cover, wherever it sits
// in a larger value; otherwise the end-to-end test could pass because the search is blind.
import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { Corpus } from "./corpus";
import { describeHit, formsOf, scan } from "./scanner";

const token = randomBytes(32).toString("base64url"); // the shape of the demo provider's opaque tokens
const secrets = [{ kind: "token", value: token }];

function found(text: string): boolean {
  const corpus = new Corpus();
  corpus.add("api-response", "item", text);
  return scan(corpus, secrets).length > 0;
}

describe("zero-exposure scanner", () => {
  it("finds the secret as it is, URL-encoded, JSON-escaped and hex", () => {
    expect(found(`{"x":"${token}"}`)).toBe(true);
    expect(found(`?a=${encodeURIComponent(`"${token}"`)}`)).toBe(true);
    expect(found(encodeURIComponent(encodeURIComponent(`t=${token}`)))).toBe(true);
    expect(found(Buffer.from(`..${token}..`).toString("hex"))).toBe(true);
    const withSlash = `a/b+${token}`;
    expect(found(JSON.stringify({ v: withSlash }))).toBe(true);
  });

  it("finds it base64- and base64url-encoded inside larger values, at every byte alignment", () => {
    for (const prefix of ["", "B", "Be", "Bearer ", '{"refresh_token":"']) {
      for (const suffix of ["", "x", "xy", '"}']) {
        const bytes = Buffer.from(`${prefix}${token}${suffix}`);
        expect(found(`data ${bytes.toString("base64")} end`), `base64, prefix ${prefix.length}`).toBe(true);
        expect(found(`data ${bytes.toString("base64url")} end`), `base64url, prefix ${prefix.length}`).toBe(true);
        expect(found(encodeURIComponent(bytes.toString("base64"))), `url-encoded base64, prefix ${prefix.length}`).toBe(true);
      }
    }
  });

  it("does not find a different secret or a fragment, and never prints the secret in a hit", () => {
    expect(found(token.slice(0, -1))).toBe(false);
    expect(found(randomBytes(32).toString("base64url"))).toBe(false);
    const corpus = new Corpus();
    corpus.add("server-log", "line 1", `before ${token} after`);
    const hits = scan(corpus, secrets);
    expect(hits).toHaveLength(1);
    expect(describeHit(hits[0]!)).not.toContain(token);
    expect(describeHit(hits[0]!)).toContain("server-log line 1");
  });

  it("searches only the channels asked for, and keeps derived forms long enough to mean something", () => {
    const corpus = new Corpus();
    corpus.add("static-file", "a.js", token);
    expect(scan(corpus, secrets, ["server-log"])).toEqual([]);
    expect(scan(corpus, secrets, ["static-file"])).toHaveLength(1);
    for (const f of formsOf(token)) expect(f.needle.length).toBeGreaterThanOrEqual(16);
  });
});
