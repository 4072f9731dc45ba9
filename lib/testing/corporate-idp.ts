// A company's OpenID Connect provider for production sign-in tests: oidc-provider on a loopback port
// with one confidential client (the portal), accounts whose claims a test sets, and an interaction
// that signs in whichever account the test names and consents to what was asked (no pages). With
// `idTokenClaims: false` the profile claims travel only in the userinfo answer, as many providers do.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import { exportJWK, generateKeyPair, type JWK } from "jose";
import Provider, { type Configuration } from "oidc-provider";

import { saveGrant } from "@/e2e/demo-provider/interactions";
import { createMemoryAdapterFactory } from "@/e2e/demo-provider/memory-adapter";

export type CorporateIdp = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Claims of each account (besides `sub`), as the provider releases them for the profile and email scopes. */
  accounts: Map<string, Record<string, unknown>>;
  /** The account the next interaction signs in. */
  signInAs: (sub: string) => void;
  close: () => Promise<void>;
};

/** Claims a company provider may release; `profile` carries the tenant and role claims under their usual names. */
const CLAIMS = { openid: ["sub"], email: ["email"], profile: ["name", "tenant", "roles", "org", "groups", "realm_access"] };

export async function startCorporateIdp(opts: { redirectUri: string; idTokenClaims: boolean }): Promise<CorporateIdp> {
  const clientId = "vault-portal";
  const clientSecret = randomBytes(24).toString("base64url");
  const accounts = new Map<string, Record<string, unknown>>();
  let current = "";
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: "RS256", use: "sig" } as JWK;

  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const configuration: Configuration = {
    adapter: createMemoryAdapterFactory(),
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [opts.redirectUri],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    claims: CLAIMS,
    // false: the ID token carries the claims of the scopes asked for; true (the spec's default for code): only userinfo does.
    conformIdTokenClaims: !opts.idTokenClaims,
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    jwks: { keys: [jwk] },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx, sub) => {
      const claims = accounts.get(sub);
      return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (!req.url?.startsWith("/interaction/")) return void callback(req, res);
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === "login") {
        await provider.interactionFinished(req, res, { login: { accountId: current } }, { mergeWithLastSubmission: false });
      } else {
        await provider.interactionFinished(req, res, { consent: { grantId: await saveGrant(provider, details) } }, { mergeWithLastSubmission: true });
      }
    })().catch((e: unknown) => {
      res.writeHead(500).end(String(e));
    });
  });
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    signInAs: (sub) => {
      current = sub;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
