// The portal's configuration, parsed from the environment in one place. Pure (no server-only) so the
// launcher can refuse a bad start before Next boots; app code reads it through lib/env.ts.
import path from "node:path";
import { z } from "zod";

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    sentence: string,
  ) {
    super(sentence);
    this.name = "ConfigError";
  }
}

export type DatabaseConfig = { kind: "pglite"; dir: string } | { kind: "postgres"; url: string };

export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  tenantClaim: string;
  roleClaim: string;
  adminValues: string[];
};

export type VaultConfig = {
  mode: "demo" | "production";
  dataDir: string;
  database: DatabaseConfig;
  /** Master key ring spec, "1:<base64>,2:<base64>"; undefined in demo mode until the data folder provides one. */
  masterKey?: string;
  nextauthSecret?: string;
  nextauthUrl: string;
  oidc?: OidcConfig;
  providersFile?: string;
  /** Demo mode only: the bundled Demo Tasks provider, started by the launcher on its own loopback port. */
  demoProvider?: { port: number; issuer: string; clientId: string; testControls: boolean };
  port: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Bearer token of GET /api/metrics; undefined: metrics are off (demo mode generates one in the data folder). */
  metricsToken?: string;
  /** VAULT_MCP_ALLOWED_ORIGINS: web origins allowed to call /api/mcp and the OAuth endpoints from a page (CORS); `*` is any. */
  mcpAllowedOrigins: string[];
  /** Lifetime of the access tokens MCP clients get (VAULT_MCP_ACCESS_TOKEN_SECONDS, at most 300 s); they renew with their refresh token. */
  mcpAccessTokenSeconds: number;
};

type Raw = Record<string, string | undefined>;

const PRODUCTION_SIGNALS = ["DATABASE_URL", "VAULT_MASTER_KEY", "NEXTAUTH_SECRET", "OIDC_ISSUER"] as const;

/** A key ring spec: comma-separated `version:base64key`, each key 32 bytes; a bare key is version 1. */
export function checkKeyRingSpec(spec: string): string | null {
  const entries = spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) return "it is empty";
  const seen = new Set<number>();
  for (const entry of entries) {
    const m = /^(?:(\d{1,6}):)?([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
    if (!m) return "each entry must look like `1:<base64 of 32 random bytes>`";
    const version = m[1] ? Number(m[1]) : 1;
    if (version < 1) return "key versions start at 1";
    if (seen.has(version)) return `version ${version} appears twice`;
    seen.add(version);
    if (Buffer.from(m[2]!, "base64").length !== 32)
      return `the key of version ${version} is not 32 bytes of base64 (generate one with \`openssl rand -base64 32\`)`;
  }
  return null;
}

/**
 * VAULT_MCP_ALLOWED_ORIGINS: a comma-separated list of exact web origins (`https://claude.ai`,
 * `http://localhost:6274`), or `*` for any; unset, none. Browser-based MCP clients (MCP Inspector's
 * web UI, claude.ai) need theirs listed to call the MCP endpoint and the OAuth endpoints.
 */
export function parseAllowedOrigins(raw: string | undefined): string[] {
  const origins = new Set<string>();
  for (const entry of (raw ?? "").split(",").map((s) => s.trim())) {
    if (!entry) continue;
    if (entry === "*") {
      origins.add(entry);
      continue;
    }
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {}
    const shown = entry.slice(0, 80);
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      throw new ConfigError(
        "VAULT_MCP_ALLOWED_ORIGINS",
        `VAULT_MCP_ALLOWED_ORIGINS lists "${shown}", which is not a web origin: write each as scheme://host[:port], like https://claude.ai, or * for any.`,
      );
    }
    // An origin is what a browser sends in Origin: no path, query, fragment or credentials, the host in lower case.
    if (url.origin !== entry) {
      throw new ConfigError(
        "VAULT_MCP_ALLOWED_ORIGINS",
        `VAULT_MCP_ALLOWED_ORIGINS lists "${shown}", which is not exactly an origin: write ${url.origin} (no path, no trailing slash).`,
      );
    }
    origins.add(entry);
  }
  return [...origins];
}

function nonEmpty(raw: Raw, name: string): string | undefined {
  const v = raw[name]?.trim();
  return v ? v : undefined;
}

function requireSetting(raw: Raw, name: string, what: string): string {
  const v = nonEmpty(raw, name);
  if (!v) throw new ConfigError(name, `${name} is not set: production mode needs ${what}.`);
  return v;
}

function url(name: string, value: string, protocols: string[]): string {
  const parsed = z.url().safeParse(value);
  const proto = parsed.success ? new URL(value).protocol : "";
  if (!parsed.success || !protocols.includes(proto)) {
    throw new ConfigError(name, `${name} is not a valid ${protocols.join(" or ").replaceAll(":", "")} URL (got "${value.slice(0, 60)}").`);
  }
  return value;
}

export function loadConfig(raw: Raw, cwd = process.cwd()): VaultConfig {
  const explicitMode = nonEmpty(raw, "VAULT_MODE");
  if (explicitMode && explicitMode !== "demo" && explicitMode !== "production") {
    throw new ConfigError("VAULT_MODE", `VAULT_MODE must be "demo" or "production" (got "${explicitMode}").`);
  }
  const mode = (explicitMode ?? (PRODUCTION_SIGNALS.some((n) => nonEmpty(raw, n)) ? "production" : "demo")) as VaultConfig["mode"];

  const portRaw = nonEmpty(raw, "PORT") ?? "3000";
  const port = Number(portRaw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError("PORT", `PORT must be a port number between 1 and 65535 (got "${portRaw}").`);

  const logLevel = (nonEmpty(raw, "LOG_LEVEL") ?? "info") as VaultConfig["logLevel"];
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}").`);
  }

  const dataDir = path.resolve(cwd, nonEmpty(raw, "VAULT_DATA_DIR") ?? ".data");
  const providersFile = nonEmpty(raw, "VAULT_PROVIDERS_FILE");
  const metricsToken = nonEmpty(raw, "VAULT_METRICS_TOKEN");
  if (metricsToken && metricsToken.length < 32) {
    throw new ConfigError("VAULT_METRICS_TOKEN", "VAULT_METRICS_TOKEN is too short: use at least 32 random characters (`openssl rand -base64 32`).");
  }

  const mcpAllowedOrigins = parseAllowedOrigins(raw.VAULT_MCP_ALLOWED_ORIGINS);
  const mcpRaw = nonEmpty(raw, "VAULT_MCP_ACCESS_TOKEN_SECONDS") ?? "300";
  const mcpAccessTokenSeconds = Number(mcpRaw);
  if (!Number.isInteger(mcpAccessTokenSeconds) || mcpAccessTokenSeconds < 5 || mcpAccessTokenSeconds > 300) {
    throw new ConfigError(
      "VAULT_MCP_ACCESS_TOKEN_SECONDS",
      `VAULT_MCP_ACCESS_TOKEN_SECONDS must be a whole number of seconds from 5 to 300 (got "${mcpRaw}").`,
    );
  }

  const masterKey = nonEmpty(raw, "VAULT_MASTER_KEY");
  if (masterKey) {
    const problem = checkKeyRingSpec(masterKey);
    if (problem) throw new ConfigError("VAULT_MASTER_KEY", `VAULT_MASTER_KEY is malformed: ${problem}.`);
  }
  const nextauthSecret = nonEmpty(raw, "NEXTAUTH_SECRET");
  if (nextauthSecret && nextauthSecret.length < 32) {
    throw new ConfigError("NEXTAUTH_SECRET", "NEXTAUTH_SECRET is too short: use at least 32 random characters (`openssl rand -base64 32`).");
  }
  const databaseUrl = nonEmpty(raw, "DATABASE_URL");
  const database: DatabaseConfig = databaseUrl
    ? { kind: "postgres", url: url("DATABASE_URL", databaseUrl, ["postgres:", "postgresql:"]) }
    : { kind: "pglite", dir: path.join(dataDir, "pglite") };

  if (mode === "demo") {
    const nextauthUrl = url("NEXTAUTH_URL", nonEmpty(raw, "NEXTAUTH_URL") ?? `http://localhost:${port}`, ["http:", "https:"]);
    const dpRaw = nonEmpty(raw, "DEMO_PROVIDER_PORT") ?? String(port === 65535 ? 65534 : port + 1);
    const dpPort = Number(dpRaw);
    if (!Number.isInteger(dpPort) || dpPort < 1 || dpPort > 65535 || dpPort === port) {
      throw new ConfigError("DEMO_PROVIDER_PORT", `DEMO_PROVIDER_PORT must be a free port number other than PORT (got "${dpRaw}").`);
    }
    const demoProvider = {
      port: dpPort,
      issuer: `http://127.0.0.1:${dpPort}`,
      clientId: "token-vault-portal",
      testControls: nonEmpty(raw, "DEMO_PROVIDER_TEST_CONTROLS") === "1",
    };
    return {
      mode,
      dataDir,
      database,
      masterKey,
      nextauthSecret,
      nextauthUrl,
      providersFile,
      demoProvider,
      port,
      logLevel,
      metricsToken,
      mcpAllowedOrigins,
      mcpAccessTokenSeconds,
    };
  }

  if (!databaseUrl) requireSetting(raw, "DATABASE_URL", "a PostgreSQL connection string (postgresql://user:pass@host:5432/db)");
  requireSetting(raw, "VAULT_MASTER_KEY", "a master key ring such as `1:$(openssl rand -base64 32)`; the vault will not invent one outside demo mode");
  requireSetting(raw, "NEXTAUTH_SECRET", "a session secret of at least 32 random characters");
  const nextauthUrl = url("NEXTAUTH_URL", requireSetting(raw, "NEXTAUTH_URL", "the portal's public URL, e.g. https://vault.example.com"), ["http:", "https:"]);
  const issuer = url("OIDC_ISSUER", requireSetting(raw, "OIDC_ISSUER", "the corporate OpenID Connect issuer URL people sign in with"), ["https:", "http:"]);
  const oidc: OidcConfig = {
    issuer,
    clientId: requireSetting(raw, "OIDC_CLIENT_ID", "the portal's client id at the OIDC issuer"),
    clientSecret: requireSetting(raw, "OIDC_CLIENT_SECRET", "the portal's client secret at the OIDC issuer"),
    tenantClaim: nonEmpty(raw, "OIDC_TENANT_CLAIM") ?? "tenant",
    roleClaim: nonEmpty(raw, "OIDC_ROLE_CLAIM") ?? "roles",
    adminValues: (nonEmpty(raw, "OIDC_ADMIN_VALUES") ?? "admin,vault-admin")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  };
  return {
    mode,
    dataDir,
    database,
    masterKey,
    nextauthSecret,
    nextauthUrl,
    oidc,
    providersFile,
    port,
    logLevel,
    metricsToken,
    mcpAllowedOrigins,
    mcpAccessTokenSeconds,
  };
}
