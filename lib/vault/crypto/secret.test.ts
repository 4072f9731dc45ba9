import { Console } from "node:console";
import { Writable } from "node:stream";
import { format, inspect } from "node:util";
import { describe, expect, it } from "vitest";

import { scrub, scrubString } from "@/lib/log/redact";

import { revealSecret, Secret } from "@/lib/vault/crypto/secret";

const RAW = "gho_SuperSecretValue_1234567890";

function captureConsole(fn: (c: Console) => void): string {
  let out = "";
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  });
  fn(new Console({ stdout: sink, stderr: sink }));
  return out;
}

describe("Secret", () => {
  it("never prints its value through any channel", () => {
    const s = new Secret(RAW);
    const outputs: Record<string, string> = {
      String: String(s),
      template: `${s}`,
      concat: "" + (s as unknown as string),
      toString: s.toString(),
      toJSON: JSON.stringify(s),
      jsonNested: JSON.stringify({ s, list: [s] }),
      inspect: inspect(s),
      inspectHidden: inspect(s, { showHidden: true, depth: 10, getters: true }),
      inspectNoCustom: inspect(s, { customInspect: false, showHidden: true }),
      inspectNested: inspect({ deep: { s } }),
      format: format("%s %j %o %O %d %i %f", s, s, s, s, s, s, s),
      formatPlain: format(s, { s }),
      console: captureConsole((c) => {
        c.log(s);
        c.log({ s });
        c.error("%s", s);
        c.dir(s);
        c.table([{ s }]);
      }),
      spread: JSON.stringify({ ...s }) + inspect({ ...s }),
      assign: JSON.stringify(Object.assign({}, s)),
      keys: String(Object.keys(s)) + String(Object.getOwnPropertyNames(s)) + String(Reflect.ownKeys(s).map(String)),
      entries: JSON.stringify(Object.entries(s)),
      structuredClone: inspect(structuredClone(s), { showHidden: true }) + JSON.stringify(structuredClone({ s })),
      forIn: (() => {
        let k = "";
        for (const key in s) k += key;
        return k;
      })(),
      scrub: JSON.stringify(scrub({ s })),
      error: String(new Error(`failed with ${s}`).message),
    };
    for (const [channel, out] of Object.entries(outputs)) {
      expect(out, channel).not.toContain(RAW);
      expect(out, channel).not.toContain("SuperSecret");
    }
    expect(outputs.String).toBe("[REDACTED]");
    expect(outputs.toJSON).toBe('"[REDACTED]"');
    expect(outputs.inspect).toBe("[REDACTED]");
    s.dispose();
  });

  it("lets the value out only as an authorization header, or to lib/vault via revealSecret", () => {
    const s = new Secret(RAW);
    expect(s.authorizationHeader()).toBe(`Bearer ${RAW}`);
    expect(s.authorizationHeader("token")).toBe(`token ${RAW}`);
    expect(() => s.authorizationHeader("Bearer\r\nX-Evil: 1")).toThrow(/not a valid authorization scheme/);
    expect(() => new Secret("abc\r\nX-Evil: 1").authorizationHeader()).toThrow(/line break/);
    expect(revealSecret(s)).toBe(RAW);
    s.dispose();
  });

  it("registers its value with the log redactor until disposed, then forgets it", () => {
    const s = new Secret(RAW);
    expect(scrubString(`leaked ${RAW} here`)).toBe("leaked [REDACTED] here");
    s.dispose();
    expect(scrubString(`leaked ${RAW} here`)).toBe(`leaked ${RAW} here`);
    expect(s.disposed).toBe(true);
    expect(() => s.authorizationHeader()).toThrow(/disposed/);
    expect(() => revealSecret(s)).toThrow(/disposed/);
    s.dispose();
  });

  it("keeps the value scrubbed while another live Secret holds the same value", () => {
    const a = new Secret(RAW);
    const b = new Secret(RAW);
    a.dispose();
    expect(scrubString(RAW)).toBe("[REDACTED]");
    b.dispose();
    expect(scrubString(RAW)).toBe(RAW);
  });

  it("refuses a non-string value", () => {
    expect(() => new Secret(42 as unknown as string)).toThrow(TypeError);
  });
});
