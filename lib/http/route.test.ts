// The BFF wrapper is where sign-in, admin-only and same-origin checks live for every portal route,
// so each check gets a test that tries to get past it. The portal is on https here, as when deployed,
// and people sign in for real (a next-auth session cookie, decoded by the wrapper).
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";

import { portalBrowser, startConnectWorld } from "@/lib/testing";

import { BadRequestError, ForbiddenError, NotFoundError } from "@/lib/errors";

const logged = vi.hoisted(() => ({ error: vi.fn() }));

vi.mock("@/lib/log", () => ({ log: logged }));

const world = await startConnectWorld({ portalUrl: "https://vault.example.com" });
const { withPerson } = await import("./route");

const { alice, bob } = world.people;
const browser = portalBrowser();

function request(method: string, init: { origin?: string | null; body?: string; url?: string } = {}): Request {
  const origin = init.origin === undefined ? "https://vault.example.com" : init.origin;
  return browser.request(init.url ?? "https://vault.example.com/api/v1/things", {
    method,
    origin,
    body: init.body,
    headers: { "content-type": "application/json" },
  });
}

const noParams = { params: Promise.resolve({}) };

async function problemOf(res: Response) {
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  return (await res.json()) as { code: string; status: number; detail: string };
}

afterAll(async () => {
  await world.provider.close();
});

beforeEach(async () => {
  await browser.signIn(alice);
  logged.error.mockReset();
});

describe("withPerson", () => {
  it("answers 401 unauthenticated without a session and never runs the handler", async () => {
    browser.signOut();
    const handler = vi.fn(() => ({ ok: true }));
    const res = await withPerson({}, handler)(request("GET"), noParams);
    expect(res.status).toBe(401);
    expect((await problemOf(res)).code).toBe("unauthenticated");
    expect(handler).not.toHaveBeenCalled();
  });

  it("refuses a non-admin on admin routes with 403 forbidden", async () => {
    const handler = vi.fn(() => ({ ok: true }));
    const res = await withPerson({ admin: true }, handler)(request("GET"), noParams);
    expect(res.status).toBe(403);
    expect((await problemOf(res)).code).toBe("forbidden");
    expect(handler).not.toHaveBeenCalled();
  });

  it("lets an admin through and sends plain objects as no-store JSON", async () => {
    await browser.signIn(bob);
    const res = await withPerson({ admin: true }, ({ person }) => ({ who: person.id }))(request("GET"), noParams);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ who: "acme.bob" });
  });

  it.each(["POST", "PUT", "PATCH", "DELETE"])("refuses %s from another origin, or with no Origin, with 403 origin_mismatch", async (method) => {
    const handler = vi.fn(() => ({ ok: true }));
    const route = withPerson({}, handler);
    for (const origin of ["https://evil.example", "https://vault.example.com.evil.example", "null", null]) {
      const res = await route(request(method, { origin }), noParams);
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe("origin_mismatch");
    }
    expect(handler).not.toHaveBeenCalled();
  });

  it("accepts the configured portal origin and the request's own origin", async () => {
    const route = withPerson({}, () => ({ ok: true }));
    expect((await route(request("DELETE"), noParams)).status).toBe(200);
    const local = request("DELETE", { url: "http://localhost:3000/api/v1/things", origin: "http://localhost:3000" });
    expect((await route(local, noParams)).status).toBe(200);
  });

  it("does not check Origin on GET", async () => {
    const res = await withPerson({}, () => ({ ok: true }))(request("GET", { origin: null }), noParams);
    expect(res.status).toBe(200);
  });

  it("awaits and validates params", async () => {
    const route = withPerson({ params: z.object({ id: z.uuid() }) }, ({ params }) => ({ id: params.id }));
    const id = "6f1c7c52-0c8e-4c55-9a43-7b2b1a7d4c11";
    const ok = await route(request("GET"), { params: Promise.resolve({ id }) });
    expect(await ok.json()).toEqual({ id });
    const bad = await route(request("GET"), { params: Promise.resolve({ id: "nope" }) });
    expect(bad.status).toBe(400);
    expect((await problemOf(bad)).detail).toContain('"id"');
  });

  it("answers 400 invalid_request for a body that is not JSON", async () => {
    const handler = vi.fn(() => ({ ok: true }));
    const res = await withPerson({ body: z.object({ a: z.string() }) }, handler)(request("POST", { body: "{not json" }), noParams);
    expect(res.status).toBe(400);
    const body = await problemOf(res);
    expect(body.code).toBe("invalid_request");
    expect(body.detail).toMatch(/not valid JSON/);
    expect(handler).not.toHaveBeenCalled();
  });

  it("names the missing, empty or unknown field in a schema failure", async () => {
    const schema = z.object({ clientId: z.string().trim().min(1), clientSecret: z.string().min(1) }).strict();
    const route = withPerson({ body: schema }, ({ body }) => ({ id: body.clientId }));
    const missing = await problemOf(await route(request("PUT", { body: JSON.stringify({ clientId: "x" }) }), noParams));
    expect(missing.detail).toBe('Field "clientSecret" is missing.');
    const empty = await problemOf(await route(request("PUT", { body: JSON.stringify({ clientId: "  ", clientSecret: "s" }) }), noParams));
    expect(empty.detail).toBe('Field "clientId" must not be empty.');
    const extra = await problemOf(await route(request("PUT", { body: JSON.stringify({ clientId: "x", clientSecret: "s", admin: true }) }), noParams));
    expect(extra.detail).toContain('"admin"');
    const ok = await route(request("PUT", { body: JSON.stringify({ clientId: " x ", clientSecret: "s" }) }), noParams);
    expect(await ok.json()).toEqual({ id: "x" });
  });

  it("maps domain errors to problems with their code", async () => {
    const cases: [Error, number, string][] = [
      [new NotFoundError("No such connection."), 404, "not_found"],
      [new ForbiddenError("Not yours."), 403, "forbidden"],
      [new BadRequestError("Bad scope.", "unknown_scope"), 400, "unknown_scope"],
    ];
    for (const [error, status, code] of cases) {
      const res = await withPerson({}, () => {
        throw error;
      })(request("GET"), noParams);
      expect(res.status).toBe(status);
      const body = await problemOf(res);
      expect(body.code).toBe(code);
      expect(body.detail).toBe(error.message);
    }
  });

  it("hides unexpected errors behind a generic 500 and logs them", async () => {
    const res = await withPerson({}, async () => {
      throw new Error('relation "connection" does not exist; secret=abc');
    })(request("GET"), noParams);
    expect(res.status).toBe(500);
    const body = await problemOf(res);
    expect(body.code).toBe("internal_error");
    expect(body.detail).not.toContain("relation");
    expect(logged.error).toHaveBeenCalledTimes(1);
  });

  it("passes a Response from the handler through untouched", async () => {
    const res = await withPerson({}, () => new Response(null, { status: 204 }))(request("GET"), noParams);
    expect(res.status).toBe(204);
  });
});
