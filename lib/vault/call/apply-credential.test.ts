// Placing a pasted credential on a request: the vault's placement overwrites a caller's header or
// query parameter of the same name (never both), basic auth is built from the fields, and values
// that would break a header line are refused rather than sent.
import { describe, expect, it } from "vitest";

import type { CredentialPlacement } from "@/lib/providers/schemas";
import { applyCredential, secretValues } from "@/lib/vault/call/apply-credential";
import { Secret } from "@/lib/vault/crypto/secret";

const fields = (values: Record<string, string>) => new Map(Object.entries(values).map(([k, v]) => [k, new Secret(v)]));

function apply(placements: CredentialPlacement[], values: Record<string, string>, url = "https://api.example.com/v1/x?api_key=caller&q=1") {
  const headers = new Headers({ "x-api-key": "caller-key", accept: "application/json" });
  const target = new URL(url);
  applyCredential(placements, fields(values), headers, target);
  return { headers: Object.fromEntries(headers), url: target };
}

describe("applyCredential", () => {
  it("a header placement replaces the caller's header of that name; constants need no field", () => {
    const out = apply(
      [
        { in: "header", name: "x-api-key", value: "{key}" },
        { in: "header", name: "x-version", value: "2024-01-01" },
      ],
      { key: "k-123" },
    );
    expect(out.headers).toEqual({ "x-api-key": "k-123", "x-version": "2024-01-01", accept: "application/json" });
  });

  it("a query placement replaces the caller's parameter of that name, once", () => {
    const out = apply([{ in: "query", name: "api_key", value: "{key}" }], { key: "k-456" });
    expect(out.url.searchParams.getAll("api_key")).toEqual(["k-456"]);
    expect(out.url.searchParams.get("q")).toBe("1");
  });

  it("basic auth from two fields, and a user name with a colon is refused", () => {
    const out = apply([{ in: "basic", username: "{sid}", password: "{token}" }], { sid: "AC1", token: "t:ok" });
    expect(out.headers.authorization).toBe(`Basic ${Buffer.from("AC1:t:ok").toString("base64")}`);
    expect(() => apply([{ in: "basic", username: "{sid}", password: "{token}" }], { sid: "A:C", token: "t" })).toThrow(/colon/);
  });

  it("refuses a value with a line break, and a placeholder the credential does not hold", () => {
    expect(() => apply([{ in: "header", name: "x-api-key", value: "{key}" }], { key: "k\r\nx-evil: 1" })).toThrow(/line break/);
    expect(() => apply([{ in: "header", name: "x-api-key", value: "{other}" }], { key: "k" })).toThrow(/no field "other"/);
  });

  it("only the secret fields are looked for in answers (an account SID is ordinary data)", () => {
    expect(secretValues(fields({ sid: "AC1", token: "tok-secret" }), ["token"])).toEqual(["tok-secret"]);
  });
});
