// `npm start`: checks the configuration, prepares demo mode, builds the portal when the build is
// missing or older than the sources, then serves it. A bad setting stops here with a sentence.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureDemoSecrets } from "../lib/env/demo-files";
import { ConfigError, loadConfig } from "../lib/env/schema";

const root = path.resolve(import.meta.dirname, "..");
const SOURCES = ["app", "components", "lib", "prisma", "public", "proxy.ts", "instrumentation.ts", "next.config.ts", "package-lock.json"];

function newestSourceMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(p)) {
    if (name === "generated" || name === "node_modules") continue;
    newest = Math.max(newest, newestSourceMtime(path.join(p, name)));
  }
  return newest;
}

function ensureBuild(): void {
  const stampFile = path.join(root, ".next", "vault-build-stamp");
  const stamp = String(Math.max(...SOURCES.map((s) => newestSourceMtime(path.join(root, s)))));
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  console.log("Building the portal (first start or changed sources; about two minutes on two cores)...");
  const t0 = Date.now();
  const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  if (run(["scripts/prisma-generate.mjs"]).status !== 0 || run(["node_modules/next/dist/bin/next", "build"]).status !== 0) {
    console.error("The build failed; the messages above say why.");
    process.exit(1);
  }
  writeFileSync(stampFile, stamp);
  console.log(`Built in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
}

function main(): void {
  let config;
  try {
    config = loadConfig(process.env, root);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`Cannot start: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const childEnv: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", VAULT_MODE: config.mode, VAULT_DATA_DIR: config.dataDir };
  if (config.mode === "demo") {
    const { created } = ensureDemoSecrets(config.dataDir);
    console.log(`Demo mode: data in ${config.dataDir} (embedded PostgreSQL), demo sign-in, no configuration needed.`);
    for (const file of created) {
      const why = file.endsWith("master.key") ? "without it the stored credentials cannot be decrypted" : "it signs demo sessions";
      console.log(`Generated ${path.basename(file)} at ${file} (mode 0600). Keep it: ${why}.`);
    }
    childEnv.NEXTAUTH_URL ??= config.nextauthUrl;
  }
  ensureBuild();
  // Demo mode listens on loopback only: it has demo sign-in and must not be reachable from the network.
  const host = process.env.HOST ?? (config.mode === "demo" ? "127.0.0.1" : "0.0.0.0");
  console.log(`Serving the portal at ${config.nextauthUrl}`);
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(config.port), "-H", host], { cwd: root, stdio: "inherit", env: childEnv });
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => child.kill(sig));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

main();
