// The admin's generic API-key provider form as a catalogue definition: each placement yields the
// `apply` rule the vault follows on every call, the definition holds one scope and never refreshes,
// and every refusal (a templated base, a header the vault sets itself, a broken regular expression,
// a placement without its name) points at the form field to fix, as a sentence.
import { describe, expect, it } from "vitest";

import { describeIssues } from "@/lib/describe-issues";
import { genericProviderBody } from "@/lib/providers/client-schemas";
import { genericApiKeyDefinition, providerDefinition, type GenericApiKeyProviderFormValues } from "@/lib/providers/schemas";

const BASE: GenericApiKeyProviderFormValues = {
  credential: "api_key",
  key: "acme-keys",
  name: "Acme Keys",
  apiBaseUrl: "https://api.acme.test/v2",
  placement: "bearer",
};

function convert(changes: Partial<GenericApiKeyProviderFormValues> & Record<string, unknown>) {
  return genericApiKeyDefinition({ ...BASE, ...changes });
}

function definitionOf(changes: Partial<GenericApiKeyProviderFormValues> = {}) {
  const result = convert(changes);
  if (!result.success) throw new Error(describeIssues(result.issues));
  return result.data;
}

function refusal(changes: Partial<GenericApiKeyProviderFormValues> & Record<string, unknown>): string {
  const result = convert(changes);
  if (result.success) throw new Error("expected a refusal");
  return describeIssues(result.issues);
}

describe("genericApiKeyDefinition", () => {
  it("a bearer key: an ordinary generic definition with one scope, no refresh, the key only for the base's host", () => {
    const def = definitionOf();
    expect(def).toMatchObject({
      key: "acme-keys",
      name: "Acme Keys",
      description: "Acme Keys, added by an administrator.",
      kind: "generic",
      scopes: [{ name: "api", description: "Everything this key allows.", default: true }],
      supportsRefresh: false,
      apiBaseUrl: "https://api.acme.test/v2",
      apiHosts: ["api.acme.test"],
      credential: {
        type: "api_key",
        fields: [{ name: "api_key", label: "API key", secret: true }],
        apply: [{ in: "header", name: "authorization", value: "Bearer {api_key}" }],
      },
    });
    expect(def.credential.type === "api_key" && def.credential.lastFour).toBeUndefined();
    expect(def.credential.type === "api_key" && def.credential.verify).toBeUndefined();
    expect(def.authorizationUrl).toBeUndefined();
    // What the route stores is a definition the catalogue reads back unchanged.
    expect(providerDefinition.parse(JSON.parse(JSON.stringify(def)))).toEqual(def);
  });

  it("each placement yields the rule the vault applies", () => {
    const apply = (changes: Partial<GenericApiKeyProviderFormValues>) => {
      const def = definitionOf(changes);
      return def.credential.type === "api_key" ? def.credential.apply : null;
    };
    expect(apply({ placement: "header", parameterName: "X-Acme-Key" })).toEqual([{ in: "header", name: "x-acme-key", value: "{api_key}" }]);
    expect(apply({ placement: "header", parameterName: "Authorization", prefix: "Token " })).toEqual([
      { in: "header", name: "authorization", value: "Token {api_key}" },
    ]);
    expect(apply({ placement: "query", parameterName: "api_key" })).toEqual([{ in: "query", name: "api_key", value: "{api_key}" }]);
    expect(apply({ placement: "basic" })).toEqual([{ in: "basic", username: "{api_key}", password: "" }]);
  });

  it("the key's format, hint, last four and check", () => {
    const def = definitionOf({
      description: "Acme's REST API.",
      keyPattern: "^acme_[A-Za-z0-9]{32}$",
      keyHint: "acme_...",
      showLastFour: true,
      verifyPath: "/me",
      accountIdPath: "account.id",
      accountLabelPath: "account.name",
    });
    expect(def.description).toBe("Acme's REST API.");
    expect(def.credential).toMatchObject({
      fields: [{ name: "api_key", pattern: "^acme_[A-Za-z0-9]{32}$", hint: "acme_..." }],
      lastFour: "api_key",
      verify: { method: "GET", path: "/me", idPath: "account.id", labelPath: "account.name" },
    });
  });

  it("refuses what would send the key anywhere but one fixed https host", () => {
    expect(refusal({ apiBaseUrl: "https://{tenant}.acme.test/v2" })).toBe('Field "apiBaseUrl" must be a fixed URL without {placeholders}.');
    expect(refusal({ apiBaseUrl: "https://api.acme.test/{version}" })).toBe('Field "apiBaseUrl" must be a fixed URL without {placeholders}.');
    expect(refusal({ apiBaseUrl: "http://api.acme.test/v2" })).toMatch(/^Field "apiBaseUrl" must be an https URL/);
    expect(refusal({ apiBaseUrl: "https://user:pw@api.acme.test/v2" })).toMatch(/^Field "apiBaseUrl" must be an https URL/);
  });

  it("refuses, through providerDefinition, a header the vault sets itself and names the form's field", () => {
    for (const header of ["Host", "cookie", "content-length", "proxy-authorization"]) {
      expect(refusal({ placement: "header", parameterName: header })).toBe('Field "parameterName" is a header the vault sets itself.');
    }
    expect(refusal({ placement: "header", parameterName: "x api key" })).toBe('Field "parameterName" must be an HTTP header name like `x-api-key`.');
    expect(refusal({ placement: "query", parameterName: "api key&x=1" })).toBe('Field "parameterName" must be a query parameter name like `api_key`.');
  });

  it("refuses a broken regular expression, a bad check path and a prefix with a placeholder", () => {
    expect(refusal({ keyPattern: "^acme_([a-z" })).toBe('Field "keyPattern" must be a valid regular expression.');
    expect(refusal({ verifyPath: "me" })).toBe('Field "verifyPath" must be a path like `/v1/me`.');
    expect(refusal({ placement: "header", parameterName: "authorization", prefix: "{api_key} " })).toBe('Field "prefix" must be one line without { or }.');
  });

  it("asks for the name a placement needs and refuses settings it does not use", () => {
    expect(refusal({ placement: "header" })).toBe('Field "parameterName" is required: name the header that carries the key.');
    expect(refusal({ placement: "query" })).toBe('Field "parameterName" is required: name the query parameter that carries the key.');
    expect(refusal({ placement: "bearer", parameterName: "x-key" })).toBe('Field "parameterName" is only for a key sent in a header or a query parameter.');
    expect(refusal({ placement: "query", parameterName: "key", prefix: "Token " })).toBe('Field "prefix" is only for a key sent in a header of your choice.');
    expect(refusal({ accountIdPath: "id" })).toBe('Field "accountIdPath" needs a key check path: the account is read from that call\'s answer.');
    expect(refusal({ placement: "cookie" as "bearer" })).toMatch(/^Field "placement"/);
    expect(refusal({ clientSecret: "x" })).toBe('The request body has unknown field "clientSecret".');
    expect(refusal({ key: "Acme Keys" })).toBe('Field "key" must be a lowercase slug like `acme-crm`.');
  });
});

describe("genericProviderBody", () => {
  const oauth = {
    key: "acme-oauth",
    name: "Acme",
    authorizationUrl: "https://acme.test/authorize",
    tokenUrl: "https://acme.test/token",
    userinfoUrl: "https://acme.test/me",
    apiBaseUrl: "https://api.acme.test",
    clientId: "id",
    clientSecret: "secret",
  };

  it("takes an OAuth body as before (with or without credential: oauth2) and an API-key body", () => {
    expect(genericProviderBody.safeParse(oauth).success).toBe(true);
    expect(genericProviderBody.safeParse({ ...oauth, credential: "oauth2" }).success).toBe(true);
    expect(genericProviderBody.parse(BASE)).toMatchObject({ credential: "api_key", showLastFour: false });
  });

  it("an API-key body has no client; an unknown kind is named", () => {
    const withClient = genericProviderBody.safeParse({ ...BASE, clientId: "id", clientSecret: "secret" });
    expect(withClient.success).toBe(false);
    expect(describeIssues(withClient.error!.issues)).toBe('The request body has unknown fields "clientId", "clientSecret".');
    const odd = genericProviderBody.safeParse({ ...oauth, credential: "saml" });
    expect(describeIssues(odd.error!.issues)).toBe('Field "credential" must be "oauth2" (the default) or "api_key".');
  });
});
