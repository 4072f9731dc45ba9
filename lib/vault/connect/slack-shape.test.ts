// Slack's user tokens connect: a provider answering its token endpoint the way Slack's
// oauth.v2.access does (HTTP 200 `{ ok, access_token: <bot>, authed_user: { access_token: <user> },
// team }`, errors as `{ ok: false, error }`) on loopback, with Slack's own catalogue settings. The
// vault asks for `user_scope`, stores the person's user token (never the bot token beside it), and
// reads the account and workspace from the token response; an `ok: false` answer connects nothing.
import { createServer } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { provider as slack } from "@/lib/providers/slack/provider";

let answer: object = {};
const seen: { authorization?: string; body?: string }[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    seen.push({ authorization: req.headers.authorization, body });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(answer));
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const file = path.join(mkdtempSync(path.join(tmpdir(), "vault-slack-")), "providers.json");
writeFileSync(
  file,
  JSON.stringify({
    providers: [
      {
        ...slack,
        key: "slack-like",
        name: "Slack-like",
        kind: "file",
        authorizationUrl: `${base}/oauth/v2/authorize`,
        tokenUrl: `${base}/api/oauth.v2.access`,
        revocationUrl: undefined,
        apiBaseUrl: `${base}/api`,
        apiHosts: undefined,
        clientId: "slack-client",
        clientSecret: "slack-client-secret",
      },
    ],
  }),
);
process.env.VAULT_PROVIDERS_FILE = file;

const { startConnectWorld } = await import("@/lib/testing/connect-harness");
const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { startConnect, completeConnect } = await import("./flow");
const { openTokenSet } = await import("@/lib/vault/crypto/token-set");
const { aadForConnection } = await import("@/lib/vault/crypto/aad");
const { getKeyRing } = await import("@/lib/vault/crypto/keyring");
const { revealSecret } = await import("@/lib/vault/crypto/secret");
const { alice } = world.people;

afterAll(async () => {
  await world.provider.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function connect() {
  const { url, binding } = await startConnect({ person: alice, providerKey: "slack-like", scopes: ["channels:read", "users:read"] });
  const query = new URLSearchParams({ code: "slack-code-123", state: url.searchParams.get("state")! });
  return { url, done: completeConnect({ person: alice, query, binding }) };
}

describe("a Slack-shaped token response", () => {
  it("asks for user scopes, and stores the person's user token and the workspace, never the bot token", async () => {
    answer = {
      ok: true,
      app_id: "A1",
      access_token: "xoxb-bot-token-that-must-not-be-kept",
      token_type: "bot",
      scope: "commands",
      team: { id: "T42", name: "Acme Workspace" },
      authed_user: { id: "U777", scope: "channels:read,users:read", access_token: "xoxp-user-token-of-alice", token_type: "user" },
    };
    const { url, done } = await connect();
    expect(url.searchParams.get("user_scope")).toBe("channels:read,users:read");
    expect(url.searchParams.get("scope")).toBeNull();
    const { connectionId } = await done;
    // RFC 6749 §2.3.1: client_secret_basic form-encodes both parts before base64.
    const basic = Buffer.from(seen.at(-1)!.authorization!.replace(/^Basic /, ""), "base64").toString("utf8");
    expect(basic.split(":").map(decodeURIComponent)).toEqual(["slack-client", "slack-client-secret"]);
    expect(seen.at(-1)!.body).toContain("code=slack-code-123");

    const row = await (await getDb()).connection.findUniqueOrThrow({ where: { id: connectionId } });
    expect(row).toMatchObject({
      providerKey: "slack-like",
      accountId: "U777",
      label: "Acme Workspace",
      status: "active",
      scopes: ["channels:read", "users:read"],
    });
    expect(row.metadata).toMatchObject({ team: "Acme Workspace", team_id: "T42" });
    const sealed = await (
      await getDb()
    ).connection.findUniqueOrThrow({ where: { id: connectionId }, select: { id: true, tenantId: true, userId: true, encBlob: true } });
    const set = openTokenSet(getKeyRing(), aadForConnection(sealed), sealed.encBlob!);
    expect(revealSecret(set.accessToken)).toBe("xoxp-user-token-of-alice");
    set.dispose();
    const stored = JSON.stringify(row, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v));
    expect(stored).not.toContain("xoxb-bot-token");
    expect(stored).not.toContain("xoxp-user-token");
  });

  it("an `ok: false` answer (Slack's errors come with HTTP 200) connects nothing and says why", async () => {
    answer = { ok: false, error: "invalid_code" };
    const before = await (await getDb()).connection.count();
    const { done } = await connect();
    await expect(done).rejects.toMatchObject({ name: "ConnectError", code: "token_exchange_failed", message: expect.stringContaining("invalid_code") });
    expect(await (await getDb()).connection.count()).toBe(before);
  });
});
