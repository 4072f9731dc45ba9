// The trust boundary is enforced by the build, not by convention: a client component that imports
// the vault must make `next build` fail, naming `server-only`. This builds a throwaway copy of the
// portal with one such component added and checks both the failure and its message.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "../..");
// Inside the project so the copy resolves the project's node_modules without a symlink.
const copy = mkdtempSync(path.join(root, ".boundary-check-"));

afterAll(() => rmSync(copy, { recursive: true, force: true }));

function build(dir: string) {
  const r = spawnSync(process.execPath, [path.join(root, "node_modules/next/dist/bin/next"), "build"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 420_000,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe("server-only boundary", () => {
  it("a client component importing lib/vault fails the build, naming server-only", { timeout: 450_000 }, () => {
    // The app's modules without their tests (which import test-only folders the copy leaves out).
    const appCode = (src: string) => !src.endsWith(".test.ts") && !src.includes(`${path.sep}lib${path.sep}testing`);
    for (const item of ["lib", "tsconfig.json", "package.json"]) cpSync(path.join(root, item), path.join(copy, item), { recursive: true, filter: appCode });
    writeFileSync(path.join(copy, "next.config.ts"), `export default { turbopack: { root: ${JSON.stringify(root)} } };\n`);
    mkdirSync(path.join(copy, "app"));
    writeFileSync(
      path.join(copy, "app/layout.tsx"),
      `export default function L({ children }: { children: React.ReactNode }) { return <html><body>{children}</body></html>; }\n`,
    );
    writeFileSync(
      path.join(copy, "app/page.tsx"),
      `"use client";\nimport { Secret } from "@/lib/vault/crypto/secret";\nexport default function Page() { return <p>{String(new Secret("x".repeat(12)))}</p>; }\n`,
    );
    const { status, output } = build(copy);
    expect(status, output).not.toBe(0);
    expect(output).toMatch(/server-only/);
    expect(output).toMatch(/lib\/vault\/crypto\/secret/);

    // Control: the same import from a server component builds, so the failure above is the boundary.
    writeFileSync(
      path.join(copy, "app/page.tsx"),
      `import { Secret } from "@/lib/vault/crypto/secret";\nexport default function Page() { return <p>{String(new Secret("x".repeat(12)))}</p>; }\n`,
    );
    const control = build(copy);
    expect(control.status, control.output).toBe(0);
  });
});
