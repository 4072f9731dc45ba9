// The admin's client-secret call: only admins, only from the portal, only for providers the tenant
// may configure, and the secret never comes back in the answer. Signed in for real; the catalogue
// and the vault's store are stand-ins, so the test sees exactly what the route hands the vault.
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";

import { PORTAL_ORIGIN, portalBrowser, startConnectWorld } from "@/lib/testing";

const state = vi.hoisted(() => ({
  source: "builtin" as string | null,
  saved: [] as unknown[],
}));

vi.mock("@/lib/log", () => ({ log: { error: vi.fn() } }));
vi.mock("@/lib/providers/registry", () => ({
  getTenantProvider: async (_tenant: string, key: string) =>
    state.source === null ? null : { definition: { key, name: "GitHub" }, configured: false, source: state.source },
}));
vi.mock("@/lib/vault/provider-oauth/client-credentials", () => ({
  saveProviderClient: async (input: unknown) => {
    state.saved.push(input);
    return { id: "reg-1" };
  },
}));

const world = await startConnectWorld();
const { PUT } = await import("./route");

const { alice, bob: admin } = world.people;
const browser = portalBrowser();
const SECRET = "s3cr3t-value-that-must-not-echo";

function put(body: unknown, key = "github", origin = PORTAL_ORIGIN) {
  return PUT(browser.request(`/api/v1/providers/${key}/client`, { method: "PUT", body, origin }), { params: Promise.resolve({ key }) });
}

afterAll(async () => {
  await world.provider.close();
});

beforeEach(async () => {
  await browser.signIn(admin);
  state.source = "builtin";
  state.saved = [];
});

describe("PUT /api/v1/providers/{key}/client", () => {
  it("saves trimmed credentials for the admin's tenant and never echoes the secret", async () => {
    const res = await put({ clientId: " Iv1.abc ", clientSecret: ` ${SECRET}\n` });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ key: "github", configured: true });
    expect(text).not.toContain(SECRET);
    expect(state.saved).toEqual([{ tenantId: "acme", key: "github", clientId: "Iv1.abc", clientSecret: SECRET }]);
  });

  it("refuses a non-admin and saves nothing", async () => {
    await browser.signIn(alice);
    const res = await put({ clientId: "x", clientSecret: SECRET });
    expect(res.status).toBe(403);
    expect(state.saved).toEqual([]);
  });

  it("refuses a cross-site request and saves nothing", async () => {
    const res = await put({ clientId: "x", clientSecret: SECRET }, "github", "https://evil.example");
    expect(res.status).toBe(403);
    expect(((await res.json()) as { code: string }).code).toBe("origin_mismatch");
    expect(state.saved).toEqual([]);
  });

  it("answers 404 for a provider outside the catalogue and 400 for operator-managed ones", async () => {
    state.source = null;
    expect((await put({ clientId: "x", clientSecret: SECRET }, "nope")).status).toBe(404);
    state.source = "demo";
    const res = await put({ clientId: "x", clientSecret: SECRET }, "demo-tasks");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { code: string }).code).toBe("provider_managed_by_operator");
    expect(state.saved).toEqual([]);
  });

  it("refuses an invalid key or extra fields with 400 before touching the vault", async () => {
    expect((await put({ clientId: "x", clientSecret: SECRET }, "Not A Slug")).status).toBe(400);
    expect((await put({ clientId: "x", clientSecret: SECRET, definition: {} })).status).toBe(400);
    expect(state.saved).toEqual([]);
  });
});
