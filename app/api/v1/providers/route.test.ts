// GET /api/v1/providers with a real session cookie: the tenant's catalogue, each entry without a URL
// or token setting of its definition; nobody signed in, 401.
import { beforeEach, describe, expect, it } from "vitest";

import { portalBrowser, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld(); // a database, the demo provider and the demo people
const route = await import("./route"); // after the world: the route reads the configuration it set
const browser = portalBrowser();

beforeEach(() => browser.signOut());

describe("GET /api/v1/providers", () => {
  it("lists the tenant's catalogue for a signed-in person, names and scopes only", async () => {
    await browser.signIn(world.people.alice);
    const res = await browser.send(route.GET, "/api/v1/providers");
    expect(res.status).toBe(200);
    const { providers } = (await res.json()) as { providers: Record<string, unknown>[] };
    expect(providers.map((p) => p.key)).toEqual(expect.arrayContaining(["demo-tasks", "github", "dropbox"]));
    for (const p of providers) expect(Object.keys(p).sort()).toEqual(["configured", "credential", "description", "key", "name", "scopes", "source"]);
  });

  it("answers 401 when nobody is signed in", async () => {
    expect((await browser.send(route.GET, "/api/v1/providers")).status).toBe(401);
  });
});
