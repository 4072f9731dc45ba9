// Resolving client_ids, on a real demo-mode database: metadata documents served on a loopback server
// resolve (demo mode allows loopback); every unusable document is refused with a sentence and leaves
// nothing stored: private addresses, literal or behind a name, too large, too slow, a redirect, an id
// that is not its URL, not JSON, a secret method or a secret. The cache honours max-age within its
// bounds (memory first, then the stored row, then the network) and one fetch serves many callers.
import dns from "node:dns";

import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { startConnectWorld, startUpstream } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { resolveClient, redirectUriAllowed, forgetResolvedClients, ClientError } = await import("./resolve");
const { DOCUMENT_LIMITS } = await import("./metadata-document");
const { registerClient } = await import("./registration");
const db = await getDb();

type Doc = { status?: number; headers?: Record<string, string>; body?: unknown; raw?: string; delayMs?: number };
const docs = new Map<string, Doc>();
const server = await startUpstream(async (req, res) => {
  const doc = docs.get(req.url ?? "");
  if (!doc) return void res.writeHead(404).end();
  if (doc.delayMs) await new Promise((r) => setTimeout(r, doc.delayMs));
  if (res.destroyed) return;
  res.writeHead(doc.status ?? 200, { "content-type": "application/json", ...doc.headers });
  res.end(doc.raw ?? JSON.stringify(doc.body));
});

let n = 0;
/** Serves a document at a fresh path whose client_id is its own URL unless `body` says otherwise. */
function publish(fields: Record<string, unknown> = {}, doc: Omit<Doc, "body"> = {}): string {
  const path = `/clients/${++n}.json`;
  const url = `${server.url}${path}`;
  docs.set(path, { ...doc, body: { client_id: url, client_name: `Client ${n}`, redirect_uris: ["https://app.example.com/cb"], ...fields } });
  return url;
}

const stored = (id: string) => db.oAuthClient.findUnique({ where: { id } });

async function refusal(clientId: string, why: RegExp) {
  const error = await resolveClient(clientId).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, clientId).toBeInstanceOf(ClientError);
  expect((error as InstanceType<typeof ClientError>).status).toBe(400);
  expect((error as InstanceType<typeof ClientError>).code).toBe("invalid_client");
  expect((error as Error).message).toMatch(/^[A-Z].*\.$/);
  expect((error as Error).message).toMatch(why);
  expect(await stored(clientId), `${clientId} was stored`).toBeNull();
}

beforeEach(() => forgetResolvedClients());
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});
afterAll(async () => {
  await server.close();
  await world.provider.close();
});

describe("client ID metadata documents", () => {
  it("resolves a document served on this machine (demo mode) and records it", async () => {
    const id = publish({ logo_uri: "https://app.example.com/logo.png", client_uri: "https://app.example.com", application_type: "web" });
    const client = await resolveClient(id);
    expect(client).toEqual({
      id,
      kind: "metadata_document",
      name: `Client ${n}`,
      logoUri: "https://app.example.com/logo.png",
      clientUri: "https://app.example.com",
      redirectUris: ["https://app.example.com/cb"],
      authMethod: "none",
      verified: false,
      native: false,
    });
    const row = await stored(id);
    expect(row).toMatchObject({ kind: "metadata_document", authMethod: "none", secretHash: null, native: false });
    expect(row!.metadataExpiresAt!.getTime() - Date.now()).toBeGreaterThan((DOCUMENT_LIMITS.defaultSeconds - 10) * 1000);
  });

  it("is native when its redirect URIs are all loopback or private-use, and then only loopback IP ports may differ", async () => {
    const client = await resolveClient(publish({ redirect_uris: ["http://127.0.0.1/cb", "com.example.app:/cb"] }));
    expect(client.native).toBe(true);
    expect(redirectUriAllowed(client, "http://127.0.0.1:49152/cb")).toBe(true);
    expect(redirectUriAllowed(client, "http://127.0.0.1:49152/other")).toBe(false);
    const web = await resolveClient(publish({ redirect_uris: ["http://127.0.0.1:3000/cb", "https://app.example.com/cb"] }));
    expect(web.native).toBe(false);
    expect(redirectUriAllowed(web, "http://127.0.0.1:3000/cb")).toBe(true);
    expect(redirectUriAllowed(web, "http://127.0.0.1:3001/cb")).toBe(false);
  });

  it("is verified only for a tenant that vouches for the document's host", async () => {
    const id = publish();
    const host = new URL(id).host;
    await db.tenant.update({ where: { id: "acme" }, data: { mcpClientPolicy: { verifiedHosts: [host] } } });
    try {
      expect((await resolveClient(id, { tenantId: "acme" })).verified).toBe(true);
      expect((await resolveClient(id, { tenantId: "globex" })).verified).toBe(false);
      expect((await resolveClient(id)).verified).toBe(false);
    } finally {
      await db.tenant.update({ where: { id: "acme" }, data: { mcpClientPolicy: {} } });
    }
  });

  it.each([
    ["https://10.0.0.1/client.json", /10\.0\.0\.1 is a private or local address/],
    ["https://192.168.1.10/client.json", /private or local address/],
    ["https://169.254.169.254/latest/meta-data/client.json", /private or local address/],
    ["https://[::ffff:10.0.0.1]/client.json", /private or local address/],
    ["https://[fd00::1]/client.json", /private or local address/],
    ["https://0.0.0.0/client.json", /private or local address/],
    ["http://example.com/client.json", /not an https URL/],
    ["https://example.com", /has no path/],
    ["https://example.com/a/../client.json", /"\." or "\.\." segments/],
    ["https://user:pw@example.com/client.json", /user name or password/],
    ["https://example.com/client.json#x", /fragment/],
  ])("refuses %s and stores nothing", async (clientId, why) => {
    await refusal(clientId, why);
  });

  it("refuses a host name that resolves to a private address, without connecting", async () => {
    const lookup = vi.spyOn(dns.promises, "lookup").mockResolvedValue([{ address: "10.20.30.40", family: 4 }] as never);
    await refusal("https://metadata.internal.example/client.json", /resolves to a private or local address/);
    expect(lookup).toHaveBeenCalledOnce();
  });

  it("refuses a document over the size limit, stopping there", async () => {
    await refusal(publish({ padding: "x".repeat(DOCUMENT_LIMITS.maxBytes) }), /larger than 5 KB/);
  });

  it("refuses a document slower than the time limit", async () => {
    const started = Date.now();
    await refusal(publish({}, { delayMs: DOCUMENT_LIMITS.timeoutMs + 1_500 }), /did not answer within 3 seconds/);
    expect(Date.now() - started).toBeLessThan(DOCUMENT_LIMITS.timeoutMs + 1_000);
  });

  it("refuses a redirect, and never asks where it points", async () => {
    const target = publish();
    const targetPath = new URL(target).pathname;
    const id = `${server.url}/clients/moved.json`;
    docs.set("/clients/moved.json", { status: 302, headers: { location: targetPath }, raw: "" });
    const before = server.requests();
    await refusal(id, /redirect \(HTTP 302\)/);
    expect(server.requests()).toBe(before + 1);
    expect(await stored(target)).toBeNull();
  });

  it("refuses a document whose client_id is not its URL, or that has none", async () => {
    await refusal(
      publish({ client_id: "https://app.example.com/client.json" }),
      /its client_id \("https:\/\/app\.example\.com\/client\.json"\) is not the URL/,
    );
    const id = publish();
    await refusal(`${id}?x=1`, /404|HTTP/);
    await refusal(publish({ client_id: undefined }), /has no client_id/);
  });

  it("refuses what is not JSON", async () => {
    await refusal(publish({}, { headers: { "content-type": "text/html" } }), /not JSON \(Content-Type "text\/html"/);
    const broken = publish();
    docs.get(new URL(broken).pathname)!.raw = "{ not json";
    await refusal(broken, /not valid JSON/);
  });

  it("refuses a secret method, private_key_jwt, a secret, and bad redirect URIs", async () => {
    await refusal(publish({ token_endpoint_auth_method: "client_secret_basic" }), /must be "none"/);
    await refusal(publish({ token_endpoint_auth_method: "private_key_jwt" }), /private_key_jwt.*not supported/);
    await refusal(publish({ client_secret: "s3cret" }), /must not contain a client_secret/);
    await refusal(publish({ redirect_uris: ["javascript:alert(1)"] }), /redirect_uris\[0\]/);
    await refusal(publish({ redirect_uris: undefined }), /redirect_uris is missing/);
  });

  it("honours max-age: kept in memory, then in the stored row, fetched again after expiry", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const t0 = Date.now();
    const id = publish({}, { headers: { "cache-control": "public, max-age=120" } });
    const fetches = () => server.requests();
    const start = fetches();
    await resolveClient(id);
    expect(fetches()).toBe(start + 1);
    await resolveClient(id);
    expect(fetches()).toBe(start + 1);
    forgetResolvedClients(id); // another instance, or this one after a restart: the stored row still holds
    vi.setSystemTime(t0 + 100_000);
    await resolveClient(id);
    expect(fetches()).toBe(start + 1);

    docs.get(new URL(id).pathname)!.body = { client_id: id, client_name: "Renamed", redirect_uris: ["https://app.example.com/cb2"] };
    vi.setSystemTime(t0 + 121_000);
    const again = await resolveClient(id);
    expect(fetches()).toBe(start + 2);
    expect(again).toMatchObject({ name: "Renamed", redirectUris: ["https://app.example.com/cb2"] });
    expect((await stored(id))!.name).toBe("Renamed");
  });

  it("bounds the lifetime: at least a minute, at most a day, five minutes when unsaid", async () => {
    const lifetime = async (cacheControl?: string) => {
      const id = publish({}, cacheControl ? { headers: { "cache-control": cacheControl } } : {});
      await resolveClient(id);
      return Math.round(((await stored(id))!.metadataExpiresAt!.getTime() - Date.now()) / 1000);
    };
    expect(await lifetime("max-age=5")).toBeGreaterThanOrEqual(59);
    expect(await lifetime("max-age=5")).toBeLessThanOrEqual(60);
    expect(await lifetime("no-store")).toBeLessThanOrEqual(60);
    expect(await lifetime("max-age=99999999")).toBeLessThanOrEqual(86_400);
    expect(await lifetime("max-age=99999999")).toBeGreaterThan(86_000);
    expect(Math.abs((await lifetime()) - 300)).toBeLessThanOrEqual(2);
  });

  it("fetches once for many callers at the same moment", async () => {
    const id = publish({}, { delayMs: 100 });
    const before = server.requests();
    const clients = await Promise.all(Array.from({ length: 8 }, () => resolveClient(id)));
    expect(server.requests()).toBe(before + 1);
    expect(new Set(clients.map((c) => c.id))).toEqual(new Set([id]));
  });
});

describe("registered clients", () => {
  it("resolve from their registration, never verified", async () => {
    const answer = await registerClient({ redirect_uris: ["https://reg.example.com/cb"], client_name: "Registered", token_endpoint_auth_method: "none" });
    expect(await resolveClient(answer.client_id, { tenantId: "acme" })).toEqual({
      id: answer.client_id,
      kind: "registered",
      name: "Registered",
      logoUri: null,
      clientUri: null,
      redirectUris: ["https://reg.example.com/cb"],
      authMethod: "none",
      verified: false,
      native: false,
    });
  });

  it("refuse an unknown client_id, an empty one and an absurdly long one", async () => {
    await refusal("mcp_doesnotexist", /No client is registered with this client_id/);
    await refusal("", /client_id is missing/);
    await refusal(`mcp_${"x".repeat(1200)}`, /longer than/);
  });
});
