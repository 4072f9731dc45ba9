// `npm start`: checks the configuration, prepares demo mode, builds the portal when the build is
// missing or older than the sources, then serves it. A bad setting stops here with a sentence.
// `npm run dev` (--dev): the same, but `next dev` (no build, changes reload) instead of the build.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync, writeSync } from "node:fs";
import path from "node:path";
import { ensureDemoSecrets } from "../lib/env/demo-files";
import { ConfigError, loadConfig, type VaultConfig } from "../lib/env/schema";

const root = path.resolve(import.meta.dirname, "..");
const SOURCES = ["app", "components", "lib", "prisma", "public", "instrumentation.ts", "next.config.ts", "package-lock.json"];

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

function run(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: root, stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
}

function ensureBuild(): void {
  const stampFile = path.join(root, ".next", "vault-build-stamp");
  const stamp = String(Math.max(...SOURCES.map((s) => newestSourceMtime(path.join(root, s)))));
  if (existsSync(path.join(root, ".next", "BUILD_ID")) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) return;
  console.log("Building the portal (first start or changed sources; about two minutes on two cores)...");
  const t0 = Date.now();
  if (run(["scripts/prisma-generate.mjs"]).status !== 0 || run(["node_modules/next/dist/bin/next", "build"]).status !== 0) {
    console.error("The build failed; the messages above say why.");
    process.exit(1);
  }
  writeFileSync(stampFile, stamp);
  console.log(`Built in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
}

type Stream = "stdout" | "stderr";
type OutputCapture = { portalFd: number; providerFd: number; raw: Record<Stream, (chunk: Buffer | string) => void> };

/**
 * VAULT_OUTPUT_LOG_DIR (tests only; unset by `npm start`): everything the launcher and the portal
 * print still goes to this process's stdout and stderr, and is also appended to portal.log in that
 * folder; the demo provider's output goes to demo-provider.log instead, because the provider is the
 * party that issues the tokens and its own lines are not the portal's. Without the variable the
 * children inherit stdout and stderr exactly as before.
 */
function captureOutput(dir: string | undefined): OutputCapture | undefined {
  if (!dir) return undefined;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const portalFd = openSync(path.join(dir, "portal.log"), "a", 0o600);
  const providerFd = openSync(path.join(dir, "demo-provider.log"), "a", 0o600);
  const raw = {} as OutputCapture["raw"];
  for (const name of ["stdout", "stderr"] as const) {
    const stream = process[name];
    const write = stream.write.bind(stream) as (chunk: Buffer | string, ...rest: unknown[]) => boolean;
    raw[name] = (chunk) => void write(chunk);
    stream.write = ((chunk: Buffer | string, ...rest: unknown[]) => {
      writeSync(portalFd, typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      return write(chunk, ...rest);
    }) as typeof stream.write;
  }
  return { portalFd, providerFd, raw };
}

/** A child's stream: to this process's own stream (teed into portal.log), or the provider's log. */
function forward(child: ChildProcess, capture: OutputCapture, provider: boolean): void {
  for (const name of ["stdout", "stderr"] as const) {
    child[name]?.on("data", (chunk: Buffer) => {
      if (!provider) return void process[name].write(chunk);
      writeSync(capture.providerFd, chunk);
      capture.raw[name](chunk);
    });
  }
}

let capture: OutputCapture | undefined;

async function main(): Promise<void> {
  capture = captureOutput(process.env.VAULT_OUTPUT_LOG_DIR);
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
  let demoSecret: string | undefined;
  if (config.mode === "demo") {
    const { created, demoProviderSecret } = ensureDemoSecrets(config.dataDir);
    demoSecret = demoProviderSecret;
    console.log(`Demo mode: data in ${config.dataDir} (embedded PostgreSQL), demo sign-in, no configuration needed.`);
    for (const file of created) {
      const why = file.endsWith("master.key") ? "without it the stored credentials cannot be decrypted" : "it signs demo sessions";
      console.log(`Generated ${path.basename(file)} at ${file} (mode 0600). Keep it: ${why}.`);
    }
    childEnv.NEXTAUTH_URL ??= config.nextauthUrl;
  }
  const dev = process.argv.includes("--dev");
  if (!dev) ensureBuild();
  if (process.argv.includes("--build-only")) return;
  const children: ChildProcess[] = [];
  if (config.demoProvider && demoSecret) children.push(await startDemoProvider(config.demoProvider, demoSecret, config.nextauthUrl));
  // Demo mode listens on loopback only: it has demo sign-in and must not be reachable from the network.
  const host = process.env.HOST ?? (config.mode === "demo" ? "127.0.0.1" : "0.0.0.0");
  console.log(`Serving the portal at ${config.nextauthUrl}`);
  if (dev && run(["scripts/prisma-generate.mjs"]).status !== 0) process.exit(1);
  const child = spawn(process.execPath, ["node_modules/next/dist/bin/next", dev ? "dev" : "start", "-p", String(config.port), "-H", host], {
    cwd: root,
    stdio: capture ? ["inherit", "pipe", "pipe"] : "inherit",
    env: childEnv,
  });
  if (capture) forward(child, capture, false);
  children.push(child);
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => children.forEach((c) => c.kill(sig)));
  child.on("exit", (code, signal) => {
    children.forEach((c) => c.kill("SIGTERM"));
    process.exit(code ?? (signal ? 0 : 1));
  });
}

/** Starts the bundled Demo Tasks provider and resolves once it listens. */
function startDemoProvider(dp: NonNullable<VaultConfig["demoProvider"]>, secret: string, portalUrl: string): Promise<ChildProcess> {
  const args = ["node_modules/.bin/tsx", "e2e/demo-provider/main.ts", "--port", String(dp.port), "--client-id", dp.clientId, "--client-secret", secret];
  for (const origin of new Set([portalUrl, portalUrl.replace("localhost", "127.0.0.1")]))
    args.push("--redirect-uri", `${origin.replace(/\/$/, "")}/api/oauth/callback`);
  if (dp.testControls) args.push("--test-controls");
  const child = spawn(args[0]!, args.slice(1), { cwd: root, stdio: ["ignore", "pipe", capture ? "pipe" : "inherit"] });
  if (capture) forward(child, capture, true);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The demo provider did not start on port ${dp.port} within 30 s.`)), 30_000);
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      if (!capture) process.stdout.write(chunk);
      if (buffered.includes("demo provider listening on")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The demo provider stopped (exit ${code}); is port ${dp.port} free? Set DEMO_PROVIDER_PORT to use another.`));
    });
  });
}

main().catch((e: Error) => {
  console.error(`Cannot start: ${e.message}`);
  process.exit(1);
});
