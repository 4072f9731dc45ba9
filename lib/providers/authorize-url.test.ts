import * as oauth from "oauth4webapi";
import { beforeAll, describe, expect, it } from "vitest";

import { AuthorizationUrlError, buildAuthorizationUrl, describeScopes, isLargeGrant, LARGE_GRANT_THRESHOLD } from "@/lib/providers/authorize-url";
import { demoTasksDefinition } from "@/lib/providers";
import { builtinCatalogue, genericDefinition } from "@/lib/providers/catalogue";
import type { ProviderDefinition } from "@/lib/providers/schemas";

const REDIRECT = "https://vault.example.com/api/oauth/callback";
let verifier: string;
let challenge: string;

beforeAll(async () => {
  verifier = oauth.generateRandomCodeVerifier();
  challenge = await oauth.calculatePKCECodeChallenge(verifier);
});

function byKey(key: string): ProviderDefinition {
  const def = builtinCatalogue().find((d) => d.key === key);
  if (!def) throw new Error(`no built-in ${key}`);
  return def;
}

describe("buildAuthorizationUrl rules", () => {
  const demo = demoTasksDefinition("http://localhost:3000/demo");
  const base = { clientId: "demo-client", redirectUri: REDIRECT, state: "state-0123456789" };

  it("builds the demo provider's URL with its default scopes when none are chosen", () => {
    const url = buildAuthorizationUrl(demo, { ...base, codeChallenge: challenge, scopes: [], nonce: "nonce-0123456789" });
    expect(url.href.startsWith("http://localhost:3000/demo/auth?")).toBe(true);
    expect(url.searchParams.get("scope")).toBe("tasks.read tasks.write");
    expect(url.searchParams.get("nonce")).toBe("nonce-0123456789");
    expect(url.searchParams.get("code_challenge")).toBe(challenge);
  });

  it("deduplicates scopes and keeps the caller's order", () => {
    const url = buildAuthorizationUrl(demo, { ...base, codeChallenge: challenge, scopes: ["tasks.write", "tasks.read", "tasks.write"] });
    expect(url.searchParams.get("scope")).toBe("tasks.write tasks.read");
  });

  it("refuses a PKCE provider without a valid S256 challenge", () => {
    expect(() => buildAuthorizationUrl(demo, { ...base, scopes: [] })).toThrow(/uses PKCE/);
    expect(() => buildAuthorizationUrl(demo, { ...base, codeChallenge: "plain-verifier", scopes: [] })).toThrow(/uses PKCE/);
  });

  it("refuses a weak state, a relative redirect URI and an empty client id", () => {
    expect(() => buildAuthorizationUrl(demo, { ...base, state: "x", codeChallenge: challenge, scopes: [] })).toThrow(/state/);
    expect(() => buildAuthorizationUrl(demo, { ...base, redirectUri: "/callback", codeChallenge: challenge, scopes: [] })).toThrow(/redirect URI/);
    expect(() => buildAuthorizationUrl(demo, { ...base, clientId: " ", codeChallenge: challenge, scopes: [] })).toThrow(/client ID/);
  });

  it("refuses a scope that would smuggle in another through the separator", () => {
    expect(() => buildAuthorizationUrl(demo, { ...base, codeChallenge: challenge, scopes: ["tasks.read tasks.admin"] })).toThrow(AuthorizationUrlError);
    const linear = byKey("linear");
    expect(() => buildAuthorizationUrl(linear, { ...base, codeChallenge: challenge, scopes: ["read,admin"] })).toThrow(AuthorizationUrlError);
  });

  it("lets a generic provider request any well-formed scope, but not a malformed one", () => {
    const generic = genericDefinition({
      key: "acme",
      name: "Acme",
      authorizationUrl: "https://id.acme.test/authorize",
      tokenUrl: "https://id.acme.test/token",
      userinfoUrl: "https://id.acme.test/userinfo",
      apiBaseUrl: "https://api.acme.test/v2",
      scopes: [{ name: "widgets.read" }],
    });
    const url = buildAuthorizationUrl(generic, { ...base, codeChallenge: challenge, scopes: ["widgets.read", "gadgets:write"] });
    expect(url.searchParams.get("scope")).toBe("widgets.read gadgets:write");
    expect(() => buildAuthorizationUrl(generic, { ...base, codeChallenge: challenge, scopes: ['a"b'] })).toThrow(/not a valid scope/);
  });

  it("does not let the vault's own parameters be overridden by extra params", () => {
    const google = byKey("google");
    const tampered = { ...google, authorizationParams: { ...google.authorizationParams, client_id: "evil" } } as ProviderDefinition;
    const url = buildAuthorizationUrl(tampered, { ...base, codeChallenge: challenge, scopes: [] });
    expect(url.searchParams.getAll("client_id")).toEqual(["demo-client"]);
  });
});

describe("describeScopes and isLargeGrant", () => {
  it("describes known scopes in plain words and flags unknown ones", () => {
    const google = byKey("google");
    const described = describeScopes(google, ["https://www.googleapis.com/auth/gmail.send", "something.else"]);
    expect(described[0]).toEqual({ scope: "https://www.googleapis.com/auth/gmail.send", description: "Send email as you", known: true });
    expect(described[1]?.known).toBe(false);
    expect(described[1]?.description).toContain('"something.else"');
  });

  it("counts distinct scopes against the threshold", () => {
    const ten = Array.from({ length: LARGE_GRANT_THRESHOLD }, (_, i) => `s${i}`);
    expect(isLargeGrant(ten)).toBe(false);
    expect(isLargeGrant([...ten, "s0"])).toBe(false);
    expect(isLargeGrant([...ten, "s-extra"])).toBe(true);
  });
});
