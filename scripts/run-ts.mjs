// Runs a TypeScript command-line script (keys:rotate, audit:verify, bench) with the project's
// tsconfig paths. `--conditions=react-server` makes `import "server-only"` resolve to its empty
// module: these scripts are server code, and without the condition that import throws on purpose.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const [script, ...args] = process.argv.slice(2);
if (!script) {
  console.error("Usage: node scripts/run-ts.mjs <script.ts> [arguments]");
  process.exit(2);
}
if (!existsSync(path.join(root, "node_modules", "tsx"))) {
  console.error("tsx is not installed: run `npm install` in the project folder first.");
  process.exit(1);
}

const child = spawn(process.execPath, ["--conditions=react-server", "--import", "tsx", path.resolve(script), ...args], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json") },
});
// Ctrl-C reaches the child through the terminal; forward signals sent to this process alone.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
child.on("error", (e) => {
  console.error(`Could not start ${script}: ${e.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
