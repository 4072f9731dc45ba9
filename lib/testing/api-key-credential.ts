// How a built-in provider that takes a pasted credential places it on a request, checked against
// what its documentation says. Each such provider's folder calls this from its provider.test.ts
// with an expectation written out by hand from the documentation, independently of its provider.ts.
import { describe, expect, it } from "vitest";

import { resolveApiBase } from "@/lib/providers/api-base";
import { apiKeySettings } from "@/lib/providers/schemas";
import { builtin } from "@/lib/testing/authorization-url";
import { applyCredential } from "@/lib/vault/call/apply-credential";
import { Secret } from "@/lib/vault/crypto/secret";

export type ApiKeyExpectation = {
  /** The API base for a connection made with `sample` (placeholders filled from its non-secret fields). */
  apiBase: string;
  /** Values as the provider's documentation shows them (fake, but in the provider's format). */
  sample: Record<string, string>;
  /** Values in the wrong format, each refused before anything is sent. */
  malformed: Record<string, string>[];
  /** Exactly the headers a request carries for `sample` (lower-case names). */
  headers: Record<string, string>;
  /** Query parameters added for `sample`. */
  query?: Record<string, string>;
  /** The harmless call that checks a key, relative to the API base; null when the provider has none. */
  verifyPath: string | null;
  /** Whether the portal may show the key's last four characters. */
  showsLastFour: boolean;
};

export function describeApiKeyCredential(key: string, expected: ApiKeyExpectation): void {
  describe("pasted credential", () => {
    const def = builtin(key);
    const credential = apiKeySettings(def)!;

    it(`${key}: takes a pasted credential and no OAuth settings`, () => {
      expect(credential).not.toBeNull();
      expect(def.authorizationUrl).toBeUndefined();
      expect(def.tokenUrl).toBeUndefined();
      expect(def.supportsRefresh).toBe(false);
      expect(def.scopes.map((s) => s.name)).toEqual(["read", "write"]);
    });

    it(`${key}: its API base, the headers and query each request carries, and its key check`, () => {
      const visible = Object.fromEntries(credential.fields.filter((f) => !f.secret).map((f) => [f.name, expected.sample[f.name]]));
      const base = resolveApiBase(def, visible);
      expect(base.href.replace(/\/$/, "")).toBe(expected.apiBase);
      const fields = new Map(Object.entries(expected.sample).map(([name, value]) => [name, new Secret(value)]));
      const headers = new Headers();
      const url = new URL(base);
      applyCredential(credential.apply, fields, headers, url);
      expect(Object.fromEntries(headers)).toEqual(expected.headers);
      expect(Object.fromEntries(url.searchParams)).toEqual(expected.query ?? {});
      expect(credential.verify?.path ?? null).toBe(expected.verifyPath);
      expect(Boolean(credential.lastFour)).toBe(expected.showsLastFour);
      for (const s of fields.values()) s.dispose();
    });

    it(`${key}: accepts the documented format and refuses others`, () => {
      for (const field of credential.fields) {
        if (field.pattern) expect(new RegExp(field.pattern).test(expected.sample[field.name]!), field.name).toBe(true);
      }
      for (const bad of expected.malformed) {
        const refused = credential.fields.some((f) => f.pattern && bad[f.name] !== undefined && !new RegExp(f.pattern).test(bad[f.name]!));
        expect(refused, JSON.stringify(Object.keys(bad))).toBe(true);
      }
    });
  });
}
