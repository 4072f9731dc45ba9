// A portal-side world for connect-flow tests: demo-mode configuration in a temp folder (PGlite, or
// PostgreSQL when a URL is given), the real Demo Tasks provider on a loopback port, and the demo
// people. Call before anything imports the app's env or db (each Vitest file is its own process).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureDemoSecrets } from "@/lib/env/demo-files";
import { freePort } from "@/lib/testing/postgres";
import { startDemoProvider, type DemoProvider } from "@/e2e/demo-provider/server";
import { completeAuthorization, newBrowser, type FlowOptions } from "@/e2e/demo-provider/test-client";

export const PORTAL_PORT = 3999;
/** The portal's own origin in every world: the token issuer, and the Origin the portal's pages send. */
export const PORTAL_ORIGIN = `http://localhost:${PORTAL_PORT}`;

/** `portalUrl` sets NEXTAUTH_URL to another public URL (an https one names the session cookie __Secure-). */
export async function startConnectWorld(opts: { databaseUrl?: string; portalUrl?: string } = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "vault-connect-"));
  const dpPort = await freePort();
  Object.assign(process.env, {
    VAULT_MODE: "demo",
    VAULT_DATA_DIR: dataDir,
    PORT: String(PORTAL_PORT),
    NEXTAUTH_URL: opts.portalUrl ?? PORTAL_ORIGIN,
    DEMO_PROVIDER_PORT: String(dpPort),
    LOG_LEVEL: "silent",
  });
  if (opts.databaseUrl) process.env.DATABASE_URL = opts.databaseUrl;
  else delete process.env.DATABASE_URL;
  const { demoProviderSecret } = ensureDemoSecrets(dataDir);
  const provider: DemoProvider = await startDemoProvider({
    port: dpPort,
    clients: [{ clientId: "token-vault-portal", clientSecret: demoProviderSecret, redirectUris: [`${opts.portalUrl ?? PORTAL_ORIGIN}/api/oauth/callback`] }],
    testControls: true,
  });
  const { upsertDemoPerson } = await import("@/lib/tenancy/people");
  const { DEMO_PEOPLE } = await import("@/lib/tenancy/demo-people");
  const [alice, bob, carol] = await Promise.all(DEMO_PEOPLE.map((p) => upsertDemoPerson(p)));
  return {
    dataDir,
    provider,
    people: { alice: alice!, bob: bob!, carol: carol! },
    /** Login + consent at the provider, as a fresh browser; returns the callback URL it redirects to. */
    authorize: (url: URL, flow?: FlowOptions) => completeAuthorization(newBrowser(), provider.issuer, url, flow),
    control: (pathname: string, body: unknown = {}) =>
      fetch(`${provider.issuer}${pathname}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  };
}
