// The authorization URL a built-in provider builds, checked against what its documentation says.
// Each provider's folder calls this from its provider.test.ts with an expectation written out by
// hand from the provider's documentation, independently of its provider.ts.
import * as oauth from "oauth4webapi";
import { beforeAll, describe, expect, it } from "vitest";

import { AuthorizationUrlError, buildAuthorizationUrl } from "@/lib/providers/authorize-url";
import { builtinCatalogue } from "@/lib/providers/catalogue";
import type { ProviderDefinition } from "@/lib/providers/schemas";

export type AuthorizationExpectation = {
  endpoint: string;
  scopeParam: "scope" | "user_scope";
  separator: " " | ",";
  pkce: boolean;
  params: Record<string, string>;
  /** Two scopes to request explicitly (checks joining); null when the provider has no scopes. */
  pick: [string, string] | null;
};

const REDIRECT = "https://vault.example.com/api/oauth/callback";

/** The validated built-in, as the portal serves it: the folder must be listed in lib/providers/index.ts. */
export function builtin(key: string): ProviderDefinition {
  const def = builtinCatalogue().find((d) => d.key === key);
  if (!def) throw new Error(`no built-in ${key}`);
  return def;
}

export function describeAuthorizationUrl(key: string, expected: AuthorizationExpectation): void {
  describe("buildAuthorizationUrl", () => {
    let challenge: string;
    beforeAll(async () => {
      challenge = await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier());
    });

    it(`${key}: endpoint, core params, scopes, PKCE and extra params`, () => {
      const def = builtin(key);
      const state = `state-${key}-0123456789`;
      const url = buildAuthorizationUrl(def, {
        clientId: `client-${key}`,
        redirectUri: REDIRECT,
        state,
        codeChallenge: challenge,
        scopes: expected.pick ?? [],
      });
      const p = url.searchParams;

      expect(`${url.origin}${url.pathname}`).toBe(expected.endpoint);
      expect(p.get("response_type")).toBe("code");
      expect(p.get("client_id")).toBe(`client-${key}`);
      expect(p.get("redirect_uri")).toBe(REDIRECT);
      expect(p.get("state")).toBe(state);

      const otherParam = expected.scopeParam === "scope" ? "user_scope" : "scope";
      expect(p.has(otherParam)).toBe(false);
      if (expected.pick) expect(p.get(expected.scopeParam)).toBe(expected.pick.join(expected.separator));
      else expect(p.has("scope")).toBe(false);

      if (expected.pkce) {
        expect(p.get("code_challenge")).toBe(challenge);
        expect(p.get("code_challenge_method")).toBe("S256");
      } else {
        expect(p.has("code_challenge")).toBe(false);
        expect(p.has("code_challenge_method")).toBe(false);
      }
      for (const [name, value] of Object.entries(expected.params)) expect(p.get(name)).toBe(value);
      expect(p.has("nonce")).toBe(false);
    });

    it(`${key}: refuses a scope it does not offer`, () => {
      const call = () =>
        buildAuthorizationUrl(builtin(key), {
          clientId: "c",
          redirectUri: REDIRECT,
          state: "state-0123456789",
          codeChallenge: challenge,
          scopes: ["admin:everything"],
        });
      expect(call).toThrow(AuthorizationUrlError);
      expect(call).toThrow(/does not offer the scope "admin:everything"/);
    });
  });
}
