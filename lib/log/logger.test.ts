import { beforeAll, describe, expect, it, vi } from "vitest";

import type { Secret as SecretType } from "@/lib/vault/crypto/secret";

// Configure env() before lib/log.ts builds the app logger, so importing it writes no demo files.
vi.stubEnv("VAULT_MODE", "demo");
vi.stubEnv("VAULT_MASTER_KEY", `1:${Buffer.alloc(32, 7).toString("base64")}`);
vi.stubEnv("NEXTAUTH_SECRET", "s".repeat(40));
vi.stubEnv("LOG_LEVEL", "warn");

let createLogger: typeof import("@/lib/log").createLogger;
let log: typeof import("@/lib/log").log;
let Secret: typeof SecretType;

beforeAll(async () => {
  (globalThis as { __vaultConfig?: unknown }).__vaultConfig = undefined;
  ({ createLogger, log } = await import("@/lib/log"));
  ({ Secret } = await import("@/lib/vault/crypto/secret"));
});

function capture(level: "info" | "trace" = "info") {
  const lines: string[] = [];
  const logger = createLogger({ write: (s: string) => void lines.push(s) }, level);
  const text = () => lines.join("");
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, text, records };
}

const TOKEN = "gho_liveAccessToken_ABCdef123456";
const JWT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZ2VudC03IiwiYXVkIjoidmF1bHQifQ.MEUCIQDsig-bytes_here";

describe("log", () => {
  it("is one pino logger with the configured level", () => {
    expect(log.level).toBe("warn");
    expect(typeof log.child({ module: "x" }).info).toBe("function");
  });

  it("redacts headers, bearer strings, registered secrets, errors and JWTs, keeping other fields", () => {
    const { logger, text, records } = capture();
    const secret = new Secret("xoxp-registered-Secret-987654");
    const child = logger.child({ module: "proxy" });

    child.info(
      {
        req: {
          method: "GET",
          url: "/api/v1/proxy",
          headers: { Authorization: `Bearer ${TOKEN}`, cookie: "next-auth.session-token=sess-abcdef123", "Set-Cookie": "sid=zzz-cookie-value" },
        },
      },
      "upstream call",
    );
    child.info(`retrying with Bearer ${TOKEN} now`);
    child.info({ provider: "slack", payload: { nested: { deeper: [{ note: `value is xoxp-registered-Secret-987654 ok` }] } } }, "payload");
    child.error(new Error("refresh failed for xoxp-registered-Secret-987654"));
    child.error({ err: new Error(`token ${TOKEN} rejected`), connectionId: "conn-9" }, "refresh failed");
    child.warn({ agent: "a-7" }, `delegation token ${JWT}`);
    child.info({ secret, status: 200 }, "secret object %s and %j", secret, secret);
    child.info("interpolated %s", "xoxp-registered-Secret-987654");

    const out = text();
    for (const raw of [TOKEN, "sess-abcdef123", "zzz-cookie-value", "xoxp-registered-Secret-987654", JWT, "MEUCIQDsig"]) {
      expect(out).not.toContain(raw);
    }
    const [headers, bearer, nested, err1, err2, jwt, secretLine, interp] = records();
    expect(headers).toMatchObject({
      module: "proxy",
      msg: "upstream call",
      req: { method: "GET", url: "/api/v1/proxy", headers: { Authorization: "[REDACTED]", cookie: "[REDACTED]", "Set-Cookie": "[REDACTED]" } },
    });
    expect(bearer!.msg).toBe("retrying with Bearer [REDACTED] now");
    expect(nested).toMatchObject({ provider: "slack", payload: { nested: { deeper: [{ note: "value is [REDACTED] ok" }] } } });
    expect(err1).toMatchObject({ msg: "refresh failed for [REDACTED]", err: { type: "Error", message: "refresh failed for [REDACTED]" } });
    expect(String((err1!.err as { stack: string }).stack)).toContain("[REDACTED]");
    expect(err2).toMatchObject({ connectionId: "conn-9", msg: "refresh failed", err: { message: "token [REDACTED] rejected" } });
    expect(jwt).toMatchObject({ agent: "a-7", msg: "delegation token [REDACTED_JWT]" });
    expect(secretLine).toMatchObject({ secret: "[REDACTED]", status: 200 });
    expect(secretLine!.msg).toMatch(/^secret object \[REDACTED\] and .\[REDACTED\].$/);
    expect(interp!.msg).toBe("interpolated [REDACTED]");
    secret.dispose();
  });

  it("scrubs child bindings and catches values registered after the child was made", () => {
    const { logger, text } = capture();
    const child = logger.child({ module: "refresh", authorization: "Basic dXNlcjpwYXNz", late: "late-secret-value-42" });
    const secret = new Secret("late-secret-value-42");
    child.info("tick");
    expect(text()).not.toContain("dXNlcjpwYXNz");
    expect(text()).not.toContain("late-secret-value-42");
    expect(text()).toContain('"module":"refresh"');
    secret.dispose();
  });

  it("after dispose() a value is no longer specially scrubbed, unless another rule matches", () => {
    const { logger, records } = capture();
    const plain = new Secret("plainvalue-not-a-token");
    const bearerish = new Secret("ya29.LiveGoogleToken_abcdef");
    plain.dispose();
    bearerish.dispose();
    logger.info({ note: "plainvalue-not-a-token" }, "Bearer ya29.LiveGoogleToken_abcdef");
    const [line] = records();
    expect(line!.note).toBe("plainvalue-not-a-token");
    expect(line!.msg).toBe("Bearer [REDACTED]");
  });

  it("does not crash on cycles or hostile objects", () => {
    const { logger, records } = capture();
    const a: Record<string, unknown> = { id: 1 };
    a.self = a;
    logger.info(
      {
        a,
        bad: {
          get x() {
            throw new Error("boom");
          },
        },
      },
      "odd",
    );
    expect(records()[0]).toMatchObject({ a: { id: 1, self: "[Circular]" }, bad: "[Unserializable]", msg: "odd" });
  });
});
