import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BUILTIN_DEFINITIONS } from "@/lib/providers";
import {
  builtinCatalogue,
  genericDefinition,
  loadProvidersFile,
  mergeCatalogue,
  parseProvidersFile,
  ProviderCatalogueError,
  safeParseProvidersFile,
} from "@/lib/providers/catalogue";
import { providerDefinition, type ProviderDefinitionInput } from "@/lib/providers/schemas";

const acme = {
  key: "acme-crm",
  name: "Acme CRM",
  description: "Customers in Acme CRM.",
  authorizationUrl: "https://login.acme.test/oauth/authorize",
  tokenUrl: "https://login.acme.test/oauth/token",
  scopes: [{ name: "customers.read", description: "See your customers", default: true }],
  tokenAuthMethod: "client_secret_basic",
  apiBaseUrl: "https://api.acme.test/v1",
  accountIdentity: { source: "api", url: "https://api.acme.test/v1/me", idPath: "id", labelPath: "email" },
  supportsRefresh: true,
  clientId: "acme-client",
  clientSecret: "acme-secret",
};

describe("built-in catalogue", () => {
  it("validates every built-in, each with a description for every scope", () => {
    const catalogue = builtinCatalogue();
    // How many there are is checked against the folders on disk (index.test.ts); none is dropped here.
    expect(catalogue.map((d) => d.key)).toEqual(BUILTIN_DEFINITIONS.map((d) => d.key));
    for (const def of catalogue) {
      expect(providerDefinition.safeParse(def).success).toBe(true);
      expect(def.kind).toBe("builtin");
      for (const scope of def.scopes) expect(scope.description.length).toBeGreaterThan(5);
    }
    expect(new Set(catalogue.map((d) => d.key)).size).toBe(catalogue.length);
  });

  it("would refuse a broken built-in (http token URL, reserved extra param, unknown field)", () => {
    const github = BUILTIN_DEFINITIONS.find((d) => d.key === "github")!;
    expect(providerDefinition.safeParse({ ...github, tokenUrl: "http://github.com/login/oauth/access_token" }).success).toBe(false);
    expect(providerDefinition.safeParse({ ...github, authorizationParams: { redirect_uri: "https://evil.test" } }).success).toBe(false);
    expect(providerDefinition.safeParse({ ...github, tokenParams: { client_secret: "x" } }).success).toBe(false);
    expect(providerDefinition.safeParse({ ...github, clientSecret: "x" }).success).toBe(false);
  });

  it("requires apiHosts when a placeholder decides the host", () => {
    const salesforce = BUILTIN_DEFINITIONS.find((d) => d.key === "salesforce")!;
    const result = providerDefinition.safeParse({ ...salesforce, apiHosts: undefined });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["apiHosts"]);
  });
});

describe("providers file", () => {
  it("parses a valid file and fills defaults", () => {
    const file = parseProvidersFile({ tenant: "acme", providers: [acme] });
    expect(file.tenant).toBe("acme");
    expect(file.providers[0]).toMatchObject({ key: "acme-crm", kind: "file", pkce: true, scopeSeparator: " ", scopeParam: "scope", metadataSteps: [] });
    expect(file.providers[0]?.clientSecret).toBe("acme-secret");
  });

  it("names the provider and the field in a sentence", () => {
    const bad = { providers: [acme, { ...acme, key: "broken", tokenUrl: "http://login.acme.test/token" }] };
    expect(() => parseProvidersFile(bad)).toThrow(ProviderCatalogueError);
    expect(() => parseProvidersFile(bad)).toThrow(/^Provider "broken" \(entry 2\) in the providers file: field "tokenUrl" must be an https URL/);
  });

  it("reports a missing field, an unknown field and a bad nested scope", () => {
    const { clientSecret: _omit, ...noSecret } = acme;
    const result = safeParseProvidersFile({
      providers: [noSecret, { ...acme, key: "two", colour: "red" }, { ...acme, key: "three", scopes: [{ name: "a b", description: "x" }] }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContain('Provider "acme-crm" (entry 1) in the providers file: field "clientSecret" is missing.');
    expect(result.problems).toContain('Provider "two" (entry 2) in the providers file has unknown field "colour".');
    expect(result.problems.some((p) => p.startsWith('Provider "three" (entry 3) in the providers file: field "scopes[0].name"'))).toBe(true);
  });

  it("words a field's problem as the portal's forms do", () => {
    expect(() => parseProvidersFile({ providers: [{ ...acme, name: " " }] })).toThrow(
      'Provider "acme-crm" (entry 1) in the providers file: field "name" must not be empty. Fix it and start the vault again.',
    );
  });

  it("names an entry by position when it has no key", () => {
    const { key: _omit, ...noKey } = acme;
    expect(() => parseProvidersFile({ providers: [noKey] })).toThrow(/^Provider entry 1 in the providers file: field "key" is missing/);
  });

  it("refuses a file that is not an object with providers", () => {
    expect(() => parseProvidersFile([acme])).toThrow(ProviderCatalogueError);
    expect(() => parseProvidersFile({ providers: [acme], extra: true })).toThrow(/unknown field "extra"/);
  });

  it("refuses a file that claims to hold a built-in", () => {
    expect(() => parseProvidersFile({ providers: [{ ...acme, kind: "builtin" }] })).toThrow(/field "kind"/);
  });

  it("refuses duplicate keys inside the file", () => {
    expect(() => parseProvidersFile({ providers: [acme, { ...acme, name: "Again" }] })).toThrow(/lists provider "acme-crm" twice \(entries 1 and 2\)/);
  });

  describe("from disk", () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), "providers-"));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("loads a valid file", async () => {
      const file = path.join(dir, "ok.json");
      await writeFile(file, JSON.stringify({ providers: [acme] }));
      expect((await loadProvidersFile(file)).providers[0]?.key).toBe("acme-crm");
    });

    it("names the file when it is missing, not JSON, or invalid", async () => {
      const missing = path.join(dir, "missing.json");
      await expect(loadProvidersFile(missing)).rejects.toThrow(`Could not read the providers file ${missing} (ENOENT)`);
      const broken = path.join(dir, "broken.json");
      await writeFile(broken, "{ providers: ");
      await expect(loadProvidersFile(broken)).rejects.toThrow(`The providers file ${broken} is not valid JSON`);
      const invalid = path.join(dir, "invalid.json");
      await writeFile(invalid, JSON.stringify({ providers: [{ ...acme, tokenAuthMethod: "none" }] }));
      await expect(loadProvidersFile(invalid)).rejects.toThrow(`in the providers file ${invalid}: field "tokenAuthMethod"`);
    });
  });
});

describe("mergeCatalogue", () => {
  it("lets a file entry override a built-in in place and appends new ones", () => {
    const github = BUILTIN_DEFINITIONS.find((d) => d.key === "github")!;
    const enterprise = {
      ...(github as ProviderDefinitionInput),
      kind: "file",
      name: "GitHub Enterprise",
      authorizationUrl: "https://github.acme.test/login/oauth/authorize",
      tokenUrl: "https://github.acme.test/login/oauth/access_token",
      clientId: "ghe",
      clientSecret: "ghe-secret",
    };
    const file = parseProvidersFile({ providers: [acme, enterprise] });
    const merged = mergeCatalogue(builtinCatalogue(), file.providers);
    expect(merged.map((d) => d.key)).toEqual([...builtinCatalogue().map((d) => d.key), "acme-crm"]);
    const gh = merged.find((d) => d.key === "github")!;
    expect(gh.name).toBe("GitHub Enterprise");
    expect(gh.kind).toBe("file");
    expect(merged.indexOf(gh)).toBe(0);
    // The built-in list itself is untouched.
    expect(builtinCatalogue()[0]?.name).toBe("GitHub");
  });

  it("refuses a duplicate key among the extra providers", () => {
    const [entry] = parseProvidersFile({ providers: [acme] }).providers;
    expect(() => mergeCatalogue(builtinCatalogue(), [entry!, entry!])).toThrow(/provider "acme-crm" twice/);
  });
});

describe("generic providers", () => {
  it("turns an admin's form into a definition restricted to its API host", () => {
    const def = genericDefinition({
      key: "acme",
      name: "Acme",
      authorizationUrl: " https://id.acme.test/authorize ",
      tokenUrl: "https://id.acme.test/token",
      userinfoUrl: "https://id.acme.test/userinfo",
      apiBaseUrl: "https://api.acme.test/v2",
      scopeSeparator: ",",
      scopes: [{ name: "widgets.read" }],
    });
    expect(def).toMatchObject({ kind: "generic", apiHosts: ["api.acme.test"], scopeSeparator: ",", authorizationUrl: "https://id.acme.test/authorize" });
    expect(def.accountIdentity).toMatchObject({ idPath: "sub", labelPath: "email" });
  });

  it("refuses a templated API base or an http token URL with a sentence", () => {
    const form = {
      key: "acme",
      name: "Acme",
      authorizationUrl: "https://id.acme.test/a",
      tokenUrl: "https://id.acme.test/t",
      userinfoUrl: "https://id.acme.test/u",
    };
    expect(() => genericDefinition({ ...form, apiBaseUrl: "https://{tenant}.acme.test" })).toThrow(/Field "apiBaseUrl" must be a fixed URL/);
    expect(() => genericDefinition({ ...form, tokenUrl: "http://id.acme.test/t", apiBaseUrl: "https://api.acme.test" })).toThrow(
      /Field "tokenUrl" must be an https URL/,
    );
  });
});
