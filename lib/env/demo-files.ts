// Demo mode keeps its generated secrets in the data folder (mode 0600), so a restart reads the same
// ones. Production never reaches this code: lib/env/schema.ts refuses to start without real settings.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export const MASTER_KEY_FILE = "master.key";
export const SESSION_SECRET_FILE = "session.secret";
export const DEMO_PROVIDER_SECRET_FILE = "demo-provider.secret";
export const METRICS_TOKEN_FILE = "metrics.token";

function readOrCreate(file: string, make: () => string): { value: string; created: boolean } {
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    return { value: readFileSync(file, "utf8").trim(), created: false };
  }
  const value = make();
  // "wx" refuses to overwrite a file another process created a moment ago.
  try {
    writeFileSync(file, value + "\n", { mode: 0o600, flag: "wx" });
    return { value, created: true };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return { value: readFileSync(file, "utf8").trim(), created: false };
    throw e;
  }
}

export function ensureDemoSecrets(dataDir: string): {
  masterKey: string;
  sessionSecret: string;
  demoProviderSecret: string;
  metricsToken: string;
  created: string[];
} {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const keyFile = path.join(dataDir, MASTER_KEY_FILE);
  const key = readOrCreate(keyFile, () => `1:${randomBytes(32).toString("base64")}`);
  if (key.created) created.push(keyFile);
  const secretFile = path.join(dataDir, SESSION_SECRET_FILE);
  const secret = readOrCreate(secretFile, () => randomBytes(32).toString("base64url"));
  if (secret.created) created.push(secretFile);
  // The portal's client secret at the bundled demo provider: both processes read this file.
  const dp = readOrCreate(path.join(dataDir, DEMO_PROVIDER_SECRET_FILE), () => randomBytes(24).toString("base64url"));
  // The bearer token of GET /api/metrics, for a Prometheus scraper (or the bench) on this machine.
  const metrics = readOrCreate(path.join(dataDir, METRICS_TOKEN_FILE), () => randomBytes(32).toString("base64url"));
  return { masterKey: key.value, sessionSecret: secret.value, demoProviderSecret: dp.value, metricsToken: metrics.value, created };
}

/** Appends a new key version to the demo key file and returns the new ring spec. */
export function addDemoKeyVersion(dataDir: string, currentSpec: string): { spec: string; version: number } {
  const versions = currentSpec.split(",").map((e) => (e.includes(":") ? Number(e.split(":")[0]) : 1));
  const version = Math.max(...versions) + 1;
  const spec = `${currentSpec},${version}:${randomBytes(32).toString("base64")}`;
  writeFileSync(path.join(dataDir, MASTER_KEY_FILE), spec + "\n", { mode: 0o600 });
  return { spec, version };
}
