import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { addDemoKeyVersion, ensureDemoSecrets } from "./demo-files";
import { checkKeyRingSpec, ConfigError, loadConfig } from "./schema";

const key = () => randomBytes(32).toString("base64");
const production = () => ({
  DATABASE_URL: "postgresql://vault@db.internal:5432/vault",
  VAULT_MASTER_KEY: `1:${key()}`,
  NEXTAUTH_SECRET: "s".repeat(40),
  NEXTAUTH_URL: "https://vault.example.com",
  OIDC_ISSUER: "https://login.example.com",
  OIDC_CLIENT_ID: "portal",
  OIDC_CLIENT_SECRET: "portal-secret",
});

function refusal(raw: Record<string, string>): ConfigError {
  try {
    loadConfig(raw, "/srv/vault");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected the configuration to be refused");
}

describe("configuration", () => {
  it("runs in demo mode with no settings, data in .data, embedded database", () => {
    const c = loadConfig({}, "/srv/vault");
    expect(c.mode).toBe("demo");
    expect(c.dataDir).toBe("/srv/vault/.data");
    expect(c.database).toEqual({ kind: "pglite", dir: "/srv/vault/.data/pglite" });
    expect(c.nextauthUrl).toBe("http://localhost:3000");
    expect(loadConfig({ PORT: "4100" }, "/srv").nextauthUrl).toBe("http://localhost:4100");
  });

  it("accepts a complete production configuration", () => {
    const c = loadConfig(production(), "/srv/vault");
    expect(c.mode).toBe("production");
    expect(c.database).toEqual({ kind: "postgres", url: "postgresql://vault@db.internal:5432/vault" });
    expect(c.oidc).toMatchObject({ issuer: "https://login.example.com", tenantClaim: "tenant", roleClaim: "roles" });
  });

  it("refuses production without a master key instead of inventing one", () => {
    const { VAULT_MASTER_KEY: _omit, ...raw } = production();
    const e = refusal(raw);
    expect(e.setting).toBe("VAULT_MASTER_KEY");
    expect(e.message).toMatch(/VAULT_MASTER_KEY is not set/);
  });

  it.each(["DATABASE_URL", "NEXTAUTH_SECRET", "NEXTAUTH_URL", "OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"])("names a missing %s", (name) => {
    const raw: Record<string, string> = production();
    delete raw[name];
    expect(refusal(raw).setting).toBe(name);
  });

  it("names each malformed setting in a sentence", () => {
    expect(refusal({ ...production(), VAULT_MASTER_KEY: "1:short" }).message).toMatch(/VAULT_MASTER_KEY is malformed.*32 bytes/);
    expect(refusal({ ...production(), DATABASE_URL: "mysql://x" }).message).toMatch(/DATABASE_URL is not a valid postgres/);
    expect(refusal({ ...production(), NEXTAUTH_SECRET: "short" }).setting).toBe("NEXTAUTH_SECRET");
    expect(refusal({ PORT: "99999" }).setting).toBe("PORT");
    expect(refusal({ VAULT_MODE: "staging" }).setting).toBe("VAULT_MODE");
    expect(refusal({ LOG_LEVEL: "loud" }).setting).toBe("LOG_LEVEL");
  });

  it("reads VAULT_MCP_ALLOWED_ORIGINS as exact origins or *, none by default", () => {
    expect(loadConfig({}, "/srv").mcpAllowedOrigins).toEqual([]);
    expect(loadConfig({ VAULT_MCP_ALLOWED_ORIGINS: " https://claude.ai, http://localhost:6274 ,," }, "/srv").mcpAllowedOrigins).toEqual([
      "https://claude.ai",
      "http://localhost:6274",
    ]);
    expect(loadConfig({ ...production(), VAULT_MCP_ALLOWED_ORIGINS: "*" }, "/srv").mcpAllowedOrigins).toEqual(["*"]);
  });

  it.each([
    ["claude.ai", /not a web origin/],
    ["https://claude.ai/", /write https:\/\/claude\.ai \(no path/],
    ["https://claude.ai/mcp", /write https:\/\/claude\.ai \(no path/],
    ["https://Claude.AI", /write https:\/\/claude\.ai/],
    ["ftp://files.example", /not a web origin/],
    ["https://user:pw@claude.ai", /not exactly an origin/],
  ])("refuses %s in VAULT_MCP_ALLOWED_ORIGINS with a sentence", (entry, message) => {
    const e = refusal({ VAULT_MCP_ALLOWED_ORIGINS: `https://ok.example,${entry}` });
    expect(e.setting).toBe("VAULT_MCP_ALLOWED_ORIGINS");
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/^VAULT_MCP_ALLOWED_ORIGINS lists ".*"/);
  });

  it("checks key ring specs", () => {
    expect(checkKeyRingSpec(`1:${key()},2:${key()}`)).toBeNull();
    expect(checkKeyRingSpec(key())).toBeNull();
    expect(checkKeyRingSpec(`1:${key()},1:${key()}`)).toMatch(/appears twice/);
    expect(checkKeyRingSpec(`0:${key()}`)).toMatch(/start at 1/);
    expect(checkKeyRingSpec("")).toMatch(/empty/);
  });
});

describe("demo secrets", () => {
  it("are generated once into the data folder with mode 0600 and reused", () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "vault-env-")), "data");
    const first = ensureDemoSecrets(dir);
    expect(first.created).toHaveLength(2);
    expect(checkKeyRingSpec(first.masterKey)).toBeNull();
    for (const f of first.created) expect(statSync(f).mode & 0o777).toBe(0o600);
    const second = ensureDemoSecrets(dir);
    expect(second.created).toHaveLength(0);
    expect(second.masterKey).toBe(first.masterKey);
    expect(second.sessionSecret).toBe(first.sessionSecret);
  });

  it("adds a new key version without dropping the old ones", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "vault-env-"));
    const { masterKey } = ensureDemoSecrets(dir);
    const { spec, version } = addDemoKeyVersion(dir, masterKey);
    expect(version).toBe(2);
    expect(spec.startsWith(masterKey + ",2:")).toBe(true);
    expect(readFileSync(path.join(dir, "master.key"), "utf8").trim()).toBe(spec);
    expect(checkKeyRingSpec(spec)).toBeNull();
  });
});
