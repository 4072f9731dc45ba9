import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The CLI is spawned as its own process by `npm start` in demo mode; parents wait for the line.
describe("demo provider: CLI", () => {
  it("prints the issuer line and exits cleanly on SIGTERM", async () => {
    const main = fileURLToPath(new URL("./main.ts", import.meta.url));
    const child = spawn(
      process.execPath,
      ["--import", "tsx", main, "--client-id", "cli", "--client-secret", "cli-secret", "--redirect-uri", "http://127.0.0.1:9/callback"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    try {
      const issuer = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("CLI did not start in time")), 15_000);
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const m = /demo provider listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
        child.once("exit", (code) => reject(new Error(`CLI exited early with ${code}`)));
      });
      const meta = await fetch(`${issuer}/.well-known/oauth-authorization-server`);
      expect(((await meta.json()) as { issuer: string }).issuer).toBe(issuer);
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 25_000);
});
