import { describe, expect, it } from "vitest";

import { registerSecretValue, scrub, scrubSerialized, scrubString } from "./redact";

const JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLWJ5dGVz";

describe("scrubString", () => {
  it("redacts bearer and basic credentials but keeps the scheme", () => {
    expect(scrubString("sent Authorization: Bearer gho_abc123XYZ456 ok")).toBe("sent Authorization: Bearer [REDACTED] ok");
    expect(scrubString("basic dXNlcjpwYXNzd29yZA==")).toBe("basic [REDACTED]");
    expect(scrubString("Bearer authentication failed")).toBe("Bearer authentication failed");
  });

  it("redacts JWTs and credentials in query strings and form bodies", () => {
    expect(scrubString(`token ${JWT} expired`)).toBe("token [REDACTED_JWT] expired");
    expect(scrubString("POST grant_type=refresh_token&refresh_token=r-1234&client_secret=cs-99&client_id=app")).toBe(
      "POST grant_type=refresh_token&refresh_token=[REDACTED]&client_secret=[REDACTED]&client_id=app",
    );
    expect(scrubString("https://app/cb?code=abc123&state=s1")).toBe("https://app/cb?code=[REDACTED]&state=s1");
  });

  it("redacts registered values, ignores short ones, and forgets them on unregister", () => {
    const off = registerSecretValue("xoxb-registered-secret");
    const short = registerSecretValue("abc");
    expect(scrubString("a xoxb-registered-secret b abc")).toBe("a [REDACTED] b abc");
    off();
    off();
    short();
    expect(scrubString("a xoxb-registered-secret b")).toBe("a xoxb-registered-secret b");
  });

  it("replaces JSON-escaped forms of a registered value in a serialized line", () => {
    const off = registerSecretValue('pa"ss\\word-123');
    const line = JSON.stringify({ msg: 'value pa"ss\\word-123' });
    expect(scrubSerialized(line)).toBe('{"msg":"value [REDACTED]"}');
    off();
  });
});

describe("scrub", () => {
  it("redacts credential-named keys at any depth and in any spelling, keeping other fields", () => {
    const input = {
      headers: { Authorization: "x", COOKIE: "sid=1", "set-cookie": ["a=1"], "Proxy-Authorization": "p", "x-api-key": "k", accept: "json" },
      body: { client_secret: "c", accessToken: "a", refresh_token: "r", id_token: "i", Password: "p", scope: "repo" },
    };
    expect(scrub(input)).toEqual({
      headers: {
        Authorization: "[REDACTED]",
        COOKIE: "[REDACTED]",
        "set-cookie": "[REDACTED]",
        "Proxy-Authorization": "[REDACTED]",
        "x-api-key": "[REDACTED]",
        accept: "json",
      },
      body: {
        client_secret: "[REDACTED]",
        accessToken: "[REDACTED]",
        refresh_token: "[REDACTED]",
        id_token: "[REDACTED]",
        Password: "[REDACTED]",
        scope: "repo",
      },
    });
    expect(input.headers.Authorization).toBe("x");
  });

  it("survives cycles, deep nesting, throwing getters and odd types", () => {
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 50; i++) deep = { deep };
    const bad = {
      get boom() {
        throw new Error("no");
      },
    };
    const out = scrub({
      a,
      deep,
      bad,
      buf: Buffer.from("secret-bytes"),
      headers: new Headers({ authorization: "Bearer abcdefgh123", accept: "x" }),
      map: new Map([["cookie", "c"]]),
    }) as Record<string, unknown>;
    expect((out.a as Record<string, unknown>).self).toBe("[Circular]");
    expect(JSON.stringify(out.deep)).toContain("[Depth limit]");
    expect(out.bad).toBe("[Unserializable]");
    expect(out.buf).toBe("[Binary 12 bytes]");
    expect(out.headers).toEqual({ authorization: "[REDACTED]", accept: "x" });
    expect(out.map).toEqual({ cookie: "[REDACTED]" });
  });

  it("copies errors, scrubbing message, stack, cause and properties", () => {
    const off = registerSecretValue("ghp_errorSecret_777");
    const cause = new Error("inner ghp_errorSecret_777");
    const err = Object.assign(new TypeError("outer ghp_errorSecret_777", { cause }), { status: 401, access_token: "t" });
    const copy = scrub(err) as TypeError & { status: number; access_token: string; cause: Error };
    expect(copy).toBeInstanceOf(TypeError);
    expect(copy.message).toBe("outer [REDACTED]");
    expect(copy.stack).not.toContain("ghp_errorSecret_777");
    expect(copy.cause.message).toBe("inner [REDACTED]");
    expect(copy.status).toBe(401);
    expect(copy.access_token).toBe("[REDACTED]");
    expect(err.message).toContain("ghp_errorSecret_777");
    off();
  });
});
