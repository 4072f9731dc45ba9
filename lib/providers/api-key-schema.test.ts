// The catalogue's rules for providers that take a pasted credential: what a definition must say, and
// the mistakes refused before a provider can ever be offered.
import { describe, expect, it } from "vitest";

import { oauthSettings, providerDefinition, type ProviderDefinitionInput } from "@/lib/providers/schemas";

const base: ProviderDefinitionInput = {
  key: "acme-keys",
  name: "Acme",
  description: "Acme's API with a key.",
  kind: "generic",
  credential: {
    type: "api_key",
    fields: [{ name: "api_key", label: "API key", pattern: "^ak_[a-z0-9]{8,}$" }],
    apply: [{ in: "header", name: "X-Acme-Key", value: "{api_key}" }],
    lastFour: "api_key",
    verify: { path: "/me", idPath: "id" },
  },
  scopes: [{ name: "read", description: "Read." }],
  apiBaseUrl: "https://api.acme.example",
};

function messages(input: unknown): string[] {
  const parsed = providerDefinition.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

function withCredential(change: Record<string, unknown>): unknown {
  return { ...base, credential: { ...(base.credential as object), ...change } };
}

describe("a provider that takes a pasted credential", () => {
  it("needs no OAuth settings, and lower-cases its header names", () => {
    const def = providerDefinition.parse(base);
    expect(def.credential).toMatchObject({ type: "api_key", apply: [{ in: "header", name: "x-acme-key" }] });
    expect(def.supportsRefresh).toBe(false);
    expect(() => oauthSettings(def)).toThrow(/pasted credential/);
  });

  it("refuses a placeholder that names no field, and a secret field it never sends", () => {
    expect(messages(withCredential({ apply: [{ in: "header", name: "x-acme-key", value: "{token}" }] }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/uses \{token\}, which is not one of the fields/), expect.stringMatching(/never sends it/)]),
    );
  });

  it("refuses a header the vault sets itself, a value with a line break, and a bad pattern", () => {
    expect(messages(withCredential({ apply: [{ in: "header", name: "Host", value: "{api_key}" }] })).join()).toMatch(/the vault sets itself/);
    expect(messages(withCredential({ apply: [{ in: "header", name: "x-k", value: "{api_key}\r\nx-evil: 1" }] })).join()).toMatch(/one line/);
    expect(messages(withCredential({ fields: [{ name: "api_key", label: "Key", pattern: "([" }] })).join()).toMatch(/valid regular expression/);
  });

  it("refuses refreshing, a last-four field that is not one, and a secret account field", () => {
    expect(messages({ ...base, supportsRefresh: true }).join()).toMatch(/not refreshed/);
    expect(messages(withCredential({ lastFour: "other" })).join()).toMatch(/lastFour: must name one of the fields/);
    expect(messages(withCredential({ accountField: "api_key" })).join()).toMatch(/not secret/);
  });

  it("is told apart from an OAuth provider, which still needs its endpoints", () => {
    const { credential: _c, ...oauth } = base;
    expect(messages(oauth)).toEqual(
      expect.arrayContaining(["authorizationUrl: is required for an OAuth provider", "tokenUrl: is required for an OAuth provider"]),
    );
  });
});
