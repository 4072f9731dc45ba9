// The OpenAPI document's security schemes: the bearer tokens agents hold, and the OAuth 2.0 flows
// that issue them with the vault's real endpoint URLs (taken from the server URL, the issuer), which
// the operations name; every scope an operation asks for is one its scheme defines.
import { expect, it } from "vitest";

process.env.NEXTAUTH_URL ??= "http://localhost:3999";
const { openApiDocument } = await import("./document");

const SERVER = "https://vault.example.test";
const doc = openApiDocument(SERVER) as Record<string, any>;
const VERBS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

function operations(): Array<{ path: string; op: Record<string, any> }> {
  return Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, item]) =>
    Object.entries(item)
      .filter(([verb]) => VERBS.includes(verb))
      .map(([, op]) => ({ path: p, op })),
  );
}

it("describes the OAuth 2.0 flows with the vault's real endpoints, next to the bearer schemes", () => {
  const schemes = doc.components.securitySchemes;
  expect(schemes.oauth2ClientCredentials).toEqual({
    type: "oauth2",
    description: expect.any(String),
    flows: { clientCredentials: { tokenUrl: `${SERVER}/api/oauth/token`, scopes: { agent: expect.any(String) } } },
  });
  expect(schemes.oauth2AuthorizationCode).toEqual({
    type: "oauth2",
    description: expect.any(String),
    flows: {
      authorizationCode: {
        authorizationUrl: `${SERVER}/api/oauth/authorize`,
        tokenUrl: `${SERVER}/api/oauth/token`,
        refreshUrl: `${SERVER}/api/oauth/token`,
        scopes: {},
      },
    },
  });
  for (const name of ["delegationToken", "agentToken"]) expect(schemes[name]).toMatchObject({ type: "http", scheme: "bearer" });
  // Routes name them: MCP takes a connected client's token, agent-level routes the client_credentials one.
  expect(doc.paths["/api/mcp"].post.security).toContainEqual({ oauth2AuthorizationCode: [] });
  expect(doc.paths["/api/v1/delegations"].get.security).toContainEqual({ oauth2ClientCredentials: ["agent"] });
  expect(doc.paths["/access/v1/evaluation"].post.security).toContainEqual({ oauth2ClientCredentials: ["agent"] });
  // A scope an operation asks for is one its scheme's flows define.
  for (const { path: p, op } of operations()) {
    for (const requirement of op.security) {
      for (const [name, scopes] of Object.entries(requirement as Record<string, string[]>)) {
        const scheme = schemes[name];
        const defined = scheme.type === "oauth2" ? Object.values(scheme.flows as Record<string, { scopes: object }>).flatMap((f) => Object.keys(f.scopes)) : [];
        for (const scope of scopes) expect(defined, `${p}: ${name} ${scope}`).toContain(scope);
      }
    }
  }
});
