// Slack-shaped token answers become standard ones that oauth4webapi accepts, the person's nested
// token wins over a top-level bot token, and `{ ok: false }` becomes an OAuth error, not a crash.
import * as oauth from "oauth4webapi";
import { describe, expect, it } from "vitest";
import { flattenTokenResponse, tokenResponseFetch } from "@/lib/vault/provider-oauth/token-response";

const as: oauth.AuthorizationServer = { issuer: "https://slack.com", token_endpoint: "https://slack.com/api/oauth.v2.access" };
const client: oauth.Client = { client_id: "c" };

function slack(body: unknown): (url: string) => Promise<Response> {
  return async () => new Response(JSON.stringify(body), { status: 200, headers: { "content-type": "application/json; charset=utf-8" } });
}

async function exchange(body: unknown) {
  const options = { [oauth.customFetch]: tokenResponseFetch("authed_user", slack(body)) };
  const params = oauth.validateAuthResponse(as, client, new URLSearchParams({ code: "x", state: "s" }), "s");
  const res = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, "https://vault.example/cb", oauth.nopkce, options);
  return oauth.processAuthorizationCodeResponse(as, client, res);
}

describe("provider-shaped token responses", () => {
  it("takes the person's token from authed_user and keeps the outer fields for metadata", async () => {
    const tokens = await exchange({
      ok: true,
      access_token: "xoxb-bot-token",
      token_type: "bot",
      team: { id: "T1", name: "Acme" },
      authed_user: { id: "U1", scope: "chat:write", access_token: "xoxp-user-token", token_type: "user", refresh_token: "xoxe-1", expires_in: 43200 },
    });
    expect(tokens.access_token).toBe("xoxp-user-token");
    expect(tokens.refresh_token).toBe("xoxe-1");
    expect(tokens.scope).toBe("chat:write");
    expect(tokens.token_type).toBe("bearer");
    expect((tokens as Record<string, unknown>).team).toEqual({ id: "T1", name: "Acme" });
  });

  it("turns { ok: false } into an OAuth error the connect flow reports", async () => {
    await expect(exchange({ ok: false, error: "invalid_code" })).rejects.toMatchObject({ error: "invalid_code" });
  });

  it("leaves answers without the nested token alone, so a missing user token fails validation", async () => {
    expect(flattenTokenResponse({ ok: true, access_token: "bot", token_type: "bot" }, "authed_user")).toBeNull();
    await expect(exchange({ ok: true, access_token: "bot", token_type: "bot" })).rejects.toThrow();
  });
});

describe("requestOptions", () => {
  it("wraps fetch exactly for providers whose catalogue entry names a token response path", async () => {
    const { requestOptions } = await import("@/lib/vault/provider-oauth/client");
    const { providerDefinition } = await import("@/lib/providers/schemas");
    const { provider: slack } = await import("@/lib/providers/slack/provider");
    const { provider: github } = await import("@/lib/providers/github/provider");
    expect(requestOptions(providerDefinition.parse(slack))[oauth.customFetch]).toBeTypeOf("function");
    expect(requestOptions(providerDefinition.parse(github))[oauth.customFetch]).toBeUndefined();
  });
});
