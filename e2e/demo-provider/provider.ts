import { randomBytes, randomUUID } from "node:crypto";
import { exportJWK, generateKeyPair } from "jose";
import Provider, { type Configuration, type JWK } from "oidc-provider";
import { profileOf } from "./accounts.js";
import { escapeHtml, page } from "./http-util.js";
import { createMemoryAdapterFactory } from "./memory-adapter.js";
import { RefreshGrace } from "./refresh-grace.js";
import { TASKS_READ, TASKS_WRITE } from "./tasks-api.js";

export type ProviderClient = { clientId: string; clientSecret: string; redirectUris: string[] };

export const DEMO_SCOPES = ["openid", "offline_access", TASKS_READ, TASKS_WRITE] as const;

const DAY = 24 * 60 * 60;

/** Fresh signing key per start: nothing in the demo must survive a restart. */
async function signingJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg: "RS256", use: "sig" } as JWK;
}

/** `grace`: how long a rotated refresh token is honoured again while its successor is unused (refresh-grace.ts). */
export async function createOidcProvider(
  issuer: string,
  clients: ProviderClient[],
  accessTokenTtlSeconds: number,
  grace = new RefreshGrace(),
): Promise<Provider> {
  const adapter = createMemoryAdapterFactory({
    // Presenting a token (refresh grant, tasks API, introspection) shows its answer arrived.
    onFind: (model, id) => {
      if (model === "RefreshToken" || model === "AccessToken") grace.used(id);
    },
    forgiveConsumed: (model, id) => model === "RefreshToken" && grace.forgives(id),
  });
  const configuration: Configuration = {
    adapter,
    clients: clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      // oidc-provider accepts either secret method for a client registered with one of them.
      token_endpoint_auth_method: "client_secret_basic",
      scope: DEMO_SCOPES.join(" "),
    })),
    clientAuthMethods: ["client_secret_basic", "client_secret_post"],
    responseTypes: ["code"],
    scopes: [...DEMO_SCOPES],
    claims: { openid: ["sub"], profile: ["name"], email: ["email"] },
    // The code_challenge_method check already refuses anything but S256; this makes PKCE mandatory
    // for confidential clients too (oidc-provider only forces it for public ones by default).
    pkce: { required: () => true },
    // The vault asks for plain OAuth scopes (no offline_access), yet must always get a refresh token.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    rotateRefreshToken: true,
    // Tokens must outlive the browser session cookie; the vault uses them long after sign-in.
    expiresWithSession: async () => false,
    ttl: {
      AccessToken: accessTokenTtlSeconds,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * DAY,
      Interaction: 3600,
      Session: 14 * DAY,
      Grant: 14 * DAY,
    },
    cookies: { keys: [randomBytes(32).toString("base64url")] },
    jwks: { keys: [await signingJwk()] },
    features: {
      devInteractions: { enabled: false },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      // The tasks API only understands plain bearer tokens, so keep tokens unconstrained and unscoped
      // to resources (resource indicators would need a resource-server registry we do not have).
      dPoP: { enabled: false },
      resourceIndicators: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    // `/me` belongs to the tasks API on the same port.
    routes: { userinfo: "/userinfo" },
    clientBasedCORS: () => false,
    findAccount: async (_ctx, sub) => {
      const profile = profileOf(sub);
      if (!profile) return undefined;
      return { accountId: sub, claims: async () => ({ ...profile }) };
    },
    renderError: async (ctx, out) => {
      ctx.type = "html";
      const rows = Object.entries(out)
        .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(String(value))}</dd>`)
        .join("");
      ctx.body = page("Demo Tasks - Error", `<h1>Something went wrong</h1><dl>${rows}</dl>`);
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.on("grant.success", (ctx) => {
    if (ctx.oidc.params?.grant_type !== "refresh_token") return;
    const { RotatedRefreshToken: rotated, RefreshToken: refresh, AccessToken: access } = ctx.oidc.entities;
    if (!access) return;
    const lost = grace.granted(String(ctx.oidc.params.refresh_token), { refresh: rotated ? refresh?.jti : undefined, access: access.jti });
    // A rotated refresh token answered again: the answer that never arrived stops working.
    if (lost) {
      adapter.drop("RefreshToken", lost.refresh);
      adapter.drop("AccessToken", lost.access);
    }
  });
  provider.on("server_error", (_ctx, err) => {
    console.error("[demo-provider] server_error", err);
  });
  return provider;
}
