import "server-only";
// The one place app code reads configuration. Demo mode fills in generated secrets from the data
// folder; production values were already required by loadConfig.
import { ensureDemoSecrets } from "./env/demo-files";
import { loadConfig, type VaultConfig } from "./env/schema";

export type ResolvedConfig = VaultConfig & { masterKey: string; nextauthSecret: string; demoProviderSecret?: string };

const cache = globalThis as unknown as { __vaultConfig?: ResolvedConfig };

export function env(): ResolvedConfig {
  if (cache.__vaultConfig) return cache.__vaultConfig;
  const config = loadConfig(process.env);
  let resolved: ResolvedConfig;
  if (config.mode === "demo") {
    const demo = ensureDemoSecrets(config.dataDir);
    resolved = {
      ...config,
      masterKey: config.masterKey ?? demo.masterKey,
      nextauthSecret: config.nextauthSecret ?? demo.sessionSecret,
      demoProviderSecret: demo.demoProviderSecret,
      metricsToken: config.metricsToken ?? demo.metricsToken,
    };
  } else {
    resolved = config as ResolvedConfig;
  }
  // next-auth v4 reads NEXTAUTH_URL itself; demo mode derives it from PORT.
  process.env.NEXTAUTH_URL ??= resolved.nextauthUrl;
  cache.__vaultConfig = resolved;
  return resolved;
}

/** For tests and the key-rotation command, which change the key ring while the process runs. */
export function resetEnvCache(): void {
  delete cache.__vaultConfig;
}
