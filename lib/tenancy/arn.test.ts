import { describe, expect, it } from "vitest";
import { parseArn, toArnPart, userArn } from "./arn";

describe("person ARN", () => {
  it("is auth:account:{tenant}:{user} and parses back", () => {
    expect(userArn("acme", "alice")).toBe("auth:account:acme:alice");
    expect(parseArn("auth:account:acme:alice")).toEqual({ tenantId: "acme", userId: "alice" });
  });
  it("refuses parts that would make an ARN ambiguous", () => {
    expect(() => userArn("acme:evil", "alice")).toThrow(/not a valid ARN part/);
    expect(() => userArn("acme", "")).toThrow();
    expect(parseArn("auth:account:acme:alice:extra")).toBeNull();
    expect(parseArn("auth:account:ACME:alice")).toBeNull();
  });
  it("sanitizes identity-provider subjects", () => {
    expect(toArnPart("Auth0|12345")).toBe("auth0-12345");
    expect(() => toArnPart("::")).toThrow(/empty/);
  });
});
