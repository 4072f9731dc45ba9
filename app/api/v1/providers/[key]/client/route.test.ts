// The admin's client-secret call: only admins, only from the portal, only for providers the tenant
// may configure, and the secret never comes back in the answer.
import { beforeEach, describe, expect, it, vi } from "vitest";

const state = vi.hoisted(() => ({
  person: null as null | Record<string, unknown>,
  source: "builtin" as string | null,
  saved: [] as unknown[],
}));

vi.mock("@/lib/auth/session", () => ({ currentPerson: async () => state.person }));
vi.mock("@/lib/env", () => ({ env: () => ({ nextauthUrl: "http://localhost:3000" }) }));
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

import { PUT } from "./route";

const admin = { id: "acme.bob", tenantId: "acme", arn: "arn:bob", email: "bob@acme.test", name: "Bob", role: "admin" };
const SECRET = "s3cr3t-value-that-must-not-echo";

function put(body: unknown, key = "github", origin = "http://localhost:3000") {
  const req = new Request(`http://localhost:3000/api/v1/providers/${key}/client`, {
    method: "PUT",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify(body),
  });
  return PUT(req, { params: Promise.resolve({ key }) });
}

beforeEach(() => {
  state.person = admin;
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
    state.person = { ...admin, role: "user" };
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
