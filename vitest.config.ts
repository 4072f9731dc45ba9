import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      // Outside Next's react-server graph, `server-only` would throw on import; tests are server code.
      { find: /^server-only$/, replacement: `${root}lib/testing/server-only-stub.ts` },
      { find: /^@\//, replacement: root },
    ],
  },
  test: {
    include: ["lib/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts", "e2e/**/*.test.ts", "eslint/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 120_000,
    globalSetup: ["lib/testing/global-setup.ts"],
  },
});
