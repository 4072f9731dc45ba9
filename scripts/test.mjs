// `npm test`: every suite, on a fresh machine, ending in one line "N passed, N failed".
// Suites: typecheck, lint (ESLint with the zone rules), format (Prettier), Vitest (unit + integration on PGlite and PostgreSQL + the build-boundary
// test), the production build, Playwright in Debian's Chromium.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";

const results = [];
const t0 = Date.now();

function run(name, cmd, args, extraEnv = {}) {
  console.log(`\n=== ${name}: ${cmd} ${args.join(" ")}`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...extraEnv } });
  console.log(`=== ${name} finished in ${((Date.now() - started) / 1000).toFixed(0)} s (exit ${r.status})`);
  return r.status ?? 1;
}

function record(suite, passed, failed, note = "") {
  results.push({ suite, passed, failed, note });
}

function portAnswers(port, host = "127.0.0.1") {
  return new Promise((resolve) => {
    const s = net.connect({ port, host, timeout: 1000 });
    s.on("connect", () => (s.destroy(), resolve(true)));
    s.on("error", () => resolve(false));
    s.on("timeout", () => (s.destroy(), resolve(false)));
  });
}

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const missing = [];
if (!existsSync(chromium)) {
  missing.push(
    `Chromium is missing (looked for ${chromium}): install it with \`apt-get install -y chromium\`, or set CHROMIUM_PATH. The Playwright suite cannot run without it.`,
  );
}
const pgAvailable = Boolean(process.env.TEST_DATABASE_URL) || (await portAnswers(5432)) || existsSync("/usr/lib/postgresql/15/bin/initdb");
if (!pgAvailable) {
  missing.push(
    "PostgreSQL is missing: no TEST_DATABASE_URL, no server on 127.0.0.1:5432 and no /usr/lib/postgresql/15/bin. Install it with `apt-get install -y postgresql-15` (the tests start a throwaway cluster themselves), or set TEST_DATABASE_URL. The PostgreSQL integration tests fail without it.",
  );
}
for (const m of missing) console.error(`\n!! ${m}`);

const PRETTIER_GLOB = "**/*.{ts,tsx,mjs,css}";

rmSync("test-results", { recursive: true, force: true });
mkdirSync("test-results", { recursive: true });

if (run("prisma client", process.execPath, ["scripts/prisma-generate.mjs"]) !== 0) record("prisma generate", 0, 1);

const tsc = run("typecheck", process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."]);
record("typecheck", tsc === 0 ? 1 : 0, tsc === 0 ? 0 : 1);

const lint = run("lint", process.execPath, ["node_modules/eslint/bin/eslint.js", "."]);
record("lint", lint === 0 ? 1 : 0, lint === 0 ? 0 : 1);

const format = run("format", process.execPath, ["node_modules/prettier/bin/prettier.cjs", "--check", "--log-level", "warn", PRETTIER_GLOB]);
record("format", format === 0 ? 1 : 0, format === 0 ? 0 : 1);

run("vitest", process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--reporter=default", "--reporter=json", "--outputFile=test-results/vitest.json"]);
if (existsSync("test-results/vitest.json")) {
  const v = JSON.parse(readFileSync("test-results/vitest.json", "utf8"));
  // A file that failed to load counts as a failure even though none of its tests ran.
  const brokenFiles = (v.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).length === 0).length;
  record("vitest", v.numPassedTests, v.numFailedTests + brokenFiles);
} else {
  record("vitest", 0, 1, "no report");
}

const build = run("build", "node_modules/.bin/tsx", ["scripts/start.ts", "--build-only"], { VAULT_MODE: "demo" });
record("production build", build === 0 ? 1 : 0, build === 0 ? 0 : 1);

if (build === 0 && existsSync(chromium)) {
  run("playwright", process.execPath, ["node_modules/@playwright/test/cli.js", "test"]);
  if (existsSync("test-results/e2e.json")) {
    const p = JSON.parse(readFileSync("test-results/e2e.json", "utf8"));
    record("playwright", p.stats.expected + p.stats.flaky, p.stats.unexpected + (p.errors?.length ?? 0));
  } else {
    record("playwright", 0, 1, "no report");
  }
} else {
  record("playwright", 0, 1, build === 0 ? "Chromium missing" : "build failed");
}

console.log("\nSuite                 passed  failed");
for (const r of results) console.log(`${r.suite.padEnd(20)} ${String(r.passed).padStart(7)} ${String(r.failed).padStart(7)}  ${r.note}`);
for (const m of missing) console.log(`missing: ${m}`);
console.log(`(${((Date.now() - t0) / 1000).toFixed(0)} s)`);
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
