// End-to-end tests in Debian's Chromium against the real portal started by `npm start`'s launcher
// (demo mode, a throwaway data folder, a loopback port).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { defineConfig } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 3107);
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(path.join(tmpdir(), "vault-e2e-"));
process.env.E2E_DATA_DIR = dataDir;
// The launcher also writes the portal's stdout and stderr here (and the demo provider's, separately),
// so a test can read what the server printed: e2e/zero-exposure.spec.ts scans it.
const outputLogDir = path.join(dataDir, "logs");
// MCP clients' access tokens live 5 s here, so e2e/mcp-client.spec.ts sees its client renew one by itself.
const mcpAccessTokenSeconds = process.env.E2E_MCP_ACCESS_TOKEN_SECONDS ?? "5";
process.env.E2E_MCP_ACCESS_TOKEN_SECONDS = mcpAccessTokenSeconds;
process.env.E2E_OUTPUT_LOG_DIR = outputLogDir;

export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"], ["json", { outputFile: "test-results/e2e.json" }]],
  use: {
    baseURL: `http://localhost:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
  webServer: {
    command: "node_modules/.bin/tsx scripts/start.ts",
    url: `http://localhost:${port}/api/health`,
    timeout: 300_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      DEMO_PROVIDER_PORT: String(port + 1),
      DEMO_PROVIDER_TEST_CONTROLS: "1",
      VAULT_MODE: "demo",
      VAULT_DATA_DIR: dataDir,
      NEXTAUTH_URL: `http://localhost:${port}`,
      LOG_LEVEL: "info",
      VAULT_OUTPUT_LOG_DIR: outputLogDir,
      VAULT_MCP_ACCESS_TOKEN_SECONDS: mcpAccessTokenSeconds,
    },
  },
});
