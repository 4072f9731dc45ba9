// GET /api/v1/mcp-clients through its route handler, on a real demo-mode database: administrators see
// their own organisation's clients, newest first, with who asked, their standing and their agent;
// never another organisation's, never a secret; people who are not administrators are refused.
import { afterAll, describe, expect, it } from "vitest";

import { PORTAL_ORIGIN, portalBrowser, setRole, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { registerClient } = await import("@/lib/oauth-clients/registration");
const { resolveClient } = await import("@/lib/oauth-clients/resolve");
const { clientStandingFor } = await import("@/lib/oauth-clients/tenant-clients");
const { GET } = await import("./route");
const { alice, bob, carol } = world.people;
const browser = portalBrowser();
const URL_ = `${PORTAL_ORIGIN}/api/v1/mcp-clients`;

type Listed = { clients: Array<Record<string, unknown>> };

afterAll(async () => {
  await world.provider.close();
});

async function askToConnect(name: string, person: { id: string; tenantId: string; role: "admin" | "user" }, secret = false) {
  const answer = await registerClient({
    client_name: name,
    redirect_uris: ["https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1/cb"],
    token_endpoint_auth_method: secret ? "client_secret_basic" : "none",
    logo_uri: "https://claude.ai/logo.png",
  });
  const client = await resolveClient(answer.client_id);
  await clientStandingFor({ tenantId: person.tenantId, client, person: { id: person.id, role: person.role } });
  return answer;
}

describe("GET /api/v1/mcp-clients", () => {
  it("answers an empty list before any client asked", async () => {
    await browser.signIn(bob);
    const res = await GET(browser.request(URL_));
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ clients: [] });
  });

  it("lists the organisation's clients, newest first, with who asked and their standing, and no secret", async () => {
    const first = await askToConnect("First", alice, true);
    const second = await askToConnect("Second", alice);
    await askToConnect("Globex's own", carol);
    await browser.signIn(bob);
    const { clients } = (await (await GET(browser.request(URL_))).json()) as Listed;
    expect(clients.map((c) => c.name)).toEqual(["Second", "First"]);
    expect(clients[1]).toEqual({
      clientId: first.client_id,
      name: "First",
      logoUri: "https://claude.ai/logo.png",
      clientUri: null,
      kind: "registered",
      verified: false,
      native: false,
      redirectUris: ["https://claude.ai/api/mcp/auth_callback", "http://127.0.0.1/cb"],
      redirectHosts: ["claude.ai", "127.0.0.1"],
      status: "pending",
      agent: null,
      requestedBy: { id: alice.id, name: alice.name, email: alice.email },
      decidedBy: null,
      createdAt: expect.any(String),
      decidedAt: null,
    });
    expect(JSON.stringify(clients)).not.toContain(first.client_secret!);
    expect(JSON.stringify(clients)).not.toMatch(/scrypt|secretHash/);
    expect(clients[0]!.clientId).toBe(second.client_id);
  });

  it("is for administrators only (403), and for people signed in (401)", async () => {
    await browser.signIn(alice);
    const res = await GET(browser.request(URL_));
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    browser.signOut();
    expect((await GET(browser.request(URL_))).status).toBe(401);
  });

  it("shows another organisation's administrator only their own clients", async () => {
    await browser.signIn(await setRole(carol, "admin"));
    const { clients } = (await (await GET(browser.request(URL_))).json()) as Listed;
    expect(clients.map((c) => c.name)).toEqual(["Globex's own"]);
  });
});
