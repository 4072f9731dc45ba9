import { describe, expect, it } from "vitest";

import { ApiBaseError, hostMatches, isAllowedApiHost, readJsonPath, resolveApiBase, underApiBase } from "@/lib/providers/api-base";
import { demoTasksDefinition } from "@/lib/providers";
import { builtinCatalogue } from "@/lib/providers/catalogue";
import type { ProviderDefinition } from "@/lib/providers/schemas";

function byKey(key: string): ProviderDefinition {
  const def = builtinCatalogue().find((d) => d.key === key);
  if (!def) throw new Error(`no built-in ${key}`);
  return def;
}

const CLOUD_ID = "3942d640-b74e-11e8-96f8-529269fb1459";

describe("resolveApiBase", () => {
  it("fills Atlassian's cloud_id into the gateway path", () => {
    expect(resolveApiBase(byKey("atlassian"), { cloud_id: CLOUD_ID, site: "acme" }).href).toBe(`https://api.atlassian.com/ex/jira/${CLOUD_ID}`);
  });

  it("uses Salesforce's instance_url as the origin", () => {
    const url = resolveApiBase(byKey("salesforce"), { instance_url: "https://acme.my.salesforce.com" });
    expect(url.href).toBe("https://acme.my.salesforce.com/services/data/v62.0");
    // A trailing slash on the recorded origin is harmless.
    expect(resolveApiBase(byKey("salesforce"), { instance_url: "https://acme.my.salesforce.com/" }).href).toBe(url.href);
  });

  it("returns fixed bases unchanged", () => {
    expect(resolveApiBase(byKey("microsoft"), {}).href).toBe("https://graph.microsoft.com/v1.0");
    expect(resolveApiBase(demoTasksDefinition("http://localhost:3000/demo"), {}).href).toBe("http://localhost:3000/demo");
  });

  it("refuses a missing placeholder with a sentence naming it", () => {
    expect(() => resolveApiBase(byKey("atlassian"), {})).toThrow(ApiBaseError);
    expect(() => resolveApiBase(byKey("atlassian"), {})).toThrow(/no "cloud_id".*reconnect Jira/);
    expect(() => resolveApiBase(byKey("atlassian"), { cloud_id: "" })).toThrow(/no "cloud_id"/);
    expect(() => resolveApiBase(byKey("salesforce"), { instance_url: null })).toThrow(/no "instance_url"/);
  });

  it("does not read placeholders from the prototype chain", () => {
    const metadata = Object.create({ cloud_id: CLOUD_ID }) as Record<string, unknown>;
    expect(() => resolveApiBase(byKey("atlassian"), metadata)).toThrow(/no "cloud_id"/);
  });

  it.each([["../x"], [".."], ["."], ["a/b"], ["evil.com/"], ["a?b=c"], ["a#b"], ["%2e%2e"], ["a\\b"], ["x".repeat(201)]])(
    "refuses the path-segment value %j",
    (value) => {
      expect(() => resolveApiBase(byKey("atlassian"), { cloud_id: value })).toThrow(/not a plain identifier/);
    },
  );

  it("refuses a non-string path-segment value", () => {
    expect(() => resolveApiBase(byKey("atlassian"), { cloud_id: { toString: () => "x" } })).toThrow(ApiBaseError);
  });

  it.each([
    ["http://attacker", /not an https URL/],
    ["http://acme.my.salesforce.com", /not an https URL/],
    ["https://evil.com", /not one of Salesforce's API hosts/],
    ["https://acme.my.salesforce.com.evil.com", /not one of Salesforce's API hosts/],
    ["https://evilsalesforce.com", /not one of Salesforce's API hosts/],
    ["https://salesforce.com", /not one of Salesforce's API hosts/],
    ["https://evil.com/.salesforce.com", /not a bare origin/],
    ["https://acme.my.salesforce.com/services/data", /not a bare origin/],
    ["https://acme.my.salesforce.com?x=1", /not a bare origin/],
    ["https://acme.my.salesforce.com#frag", /not a bare origin/],
    ["https://user:pw@acme.my.salesforce.com", /carries credentials/],
    ["https://evil.com@acme.my.salesforce.com", /carries credentials/],
    ["javascript:alert(1)", /not an https URL/],
    ["acme.my.salesforce.com", /not a URL/],
  ])("refuses the instance_url %j", (value, message) => {
    expect(() => resolveApiBase(byKey("salesforce"), { instance_url: value })).toThrow(message);
  });
});

describe("underApiBase", () => {
  const def = byKey("openai");
  const base = new URL("https://api.openai.com/v1");

  it("joins a path and its query under the base", () => {
    expect(underApiBase(def, base, "/models?limit=1")).toEqual({ url: new URL("https://api.openai.com/v1/models?limit=1") });
    expect(underApiBase(def, base, "")).toEqual({ url: new URL("https://api.openai.com/v1") });
  });

  it("says which bound a path would cross: the base's path, or its host", () => {
    expect(underApiBase(def, base, "/../admin")).toEqual({ leaves: "base" });
    expect(underApiBase(def, new URL("https://api.openai.com/v1/"), "/%2e%2e/admin")).toEqual({ leaves: "base" });
    expect(underApiBase(def, base, "@evil.example/x")).toEqual({ leaves: "base" });
    // On a base without a path, the same text turns the base's host into a user name.
    expect(underApiBase(def, new URL("https://api.openai.com"), "@evil.example/x")).toEqual({ leaves: "host" });
  });
});

describe("host patterns", () => {
  it("matches wildcard subdomains but not the apex or look-alikes", () => {
    expect(hostMatches("*.salesforce.com", "acme.my.salesforce.com")).toBe(true);
    expect(hostMatches("*.salesforce.com", "salesforce.com")).toBe(false);
    expect(hostMatches("*.salesforce.com", "evilsalesforce.com")).toBe(false);
    expect(hostMatches("api.github.com", "API.GitHub.com")).toBe(true);
    expect(hostMatches("api.github.com", "api.github.com.evil.com")).toBe(false);
  });

  it("checks a URL against a provider's API hosts", () => {
    const google = byKey("google");
    expect(isAllowedApiHost(google, new URL("https://gmail.googleapis.com/gmail/v1/users/me"))).toBe(true);
    expect(isAllowedApiHost(google, new URL("https://evil.example/"))).toBe(false);
    const demo = demoTasksDefinition("http://localhost:3000/demo");
    const base = resolveApiBase(demo, {});
    expect(isAllowedApiHost(demo, new URL("http://localhost:3000/demo/tasks"), base)).toBe(true);
    expect(isAllowedApiHost(demo, new URL("http://localhost:4000/demo/tasks"), base)).toBe(false);
  });
});

describe("readJsonPath", () => {
  it("reads array indexes and nested fields", () => {
    const resources = [{ id: CLOUD_ID, name: "acme" }];
    expect(readJsonPath(resources, "0.id")).toBe(CLOUD_ID);
    expect(readJsonPath({ team: { name: "Acme" } }, "team.name")).toBe("Acme");
    expect(readJsonPath(resources, "1.id")).toBeUndefined();
    expect(readJsonPath({ a: 1 }, "a.b")).toBeUndefined();
  });

  it("never reaches inherited members", () => {
    expect(readJsonPath({}, "__proto__")).toBeUndefined();
    expect(readJsonPath({}, "constructor.name")).toBeUndefined();
    expect(readJsonPath([], "length")).toBeUndefined();
  });
});
