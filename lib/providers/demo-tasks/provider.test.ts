// The bundled Demo Tasks provider is built from its issuer: every endpoint under it, loopback only over http.
import { describe, expect, it } from "vitest";

import { demoTasksDefinition } from "@/lib/providers";

describe("Demo Tasks", () => {
  it("builds the demo provider from its issuer", () => {
    const demo = demoTasksDefinition("http://localhost:3000/demo");
    expect(demo).toMatchObject({
      key: "demo-tasks",
      name: "Demo Tasks",
      authorizationUrl: "http://localhost:3000/demo/auth",
      tokenUrl: "http://localhost:3000/demo/token",
      revocationUrl: "http://localhost:3000/demo/token/revocation",
      issuer: "http://localhost:3000/demo",
      apiBaseUrl: "http://localhost:3000/demo",
      tokenAuthMethod: "client_secret_basic",
      supportsRefresh: true,
      pkce: true,
      accountIdentity: { source: "api", url: "http://localhost:3000/demo/me", idPath: "sub", labelPath: "email" },
    });
    expect(demo.scopes.map((s) => [s.name, s.default])).toEqual([
      ["tasks.read", true],
      ["tasks.write", true],
    ]);
  });

  it("refuses plain http for a provider that is not on loopback", () => {
    expect(() => demoTasksDefinition("http://demo.example.com")).toThrow();
  });
});
