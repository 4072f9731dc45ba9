// How a client people connect proves who it is at the token endpoint, on a real demo-mode database:
// a public client sends no secret at all; a confidential one exactly its secret, by exactly the
// method it registered, checked against the stored slow hash. Every other combination is refused.
import { beforeAll, describe, expect, it } from "vitest";

import { basicHeader, startConnectWorld } from "@/lib/testing";

const world = await startConnectWorld();
const { getDb } = await import("@/lib/db");
const { authenticateClient, resolveClient, ClientError } = await import("./resolve");
const { registerClient } = await import("./registration");
const db = await getDb();

type Registered = Awaited<ReturnType<typeof registerClient>>;
let publicClient: Registered;
let basicClient: Registered;
let postClient: Registered;

beforeAll(async () => {
  const redirect_uris = ["https://app.example.com/cb"];
  publicClient = await registerClient({ redirect_uris, token_endpoint_auth_method: "none" });
  basicClient = await registerClient({ redirect_uris, token_endpoint_auth_method: "client_secret_basic" });
  postClient = await registerClient({ redirect_uris, token_endpoint_auth_method: "client_secret_post" });
  return () => world.provider.close();
});

const form = (fields: Record<string, string>) => new URLSearchParams(fields);

async function attempt(registered: Registered, authorization: string | null, fields: Record<string, string>) {
  const client = await resolveClient(registered.client_id);
  return authenticateClient(client, { authorization, form: form(fields) }).then(
    () => "accepted",
    (e: unknown) => {
      expect(e).toBeInstanceOf(ClientError);
      expect((e as InstanceType<typeof ClientError>).code).toBe("invalid_client");
      expect((e as Error).message).toMatch(/^[A-Z].*\.$/);
      return "refused";
    },
  );
}

describe("authenticateClient", () => {
  it("a public client: its client_id and nothing else", async () => {
    const id = publicClient.client_id;
    expect(publicClient.client_secret).toBeUndefined();
    expect(await attempt(publicClient, null, { client_id: id })).toBe("accepted");
    expect(await attempt(publicClient, null, {})).toBe("refused");
    expect(await attempt(publicClient, null, { client_id: id, client_secret: "anything" })).toBe("refused");
    expect(await attempt(publicClient, null, { client_id: id, client_secret: "" })).toBe("refused");
    expect(await attempt(publicClient, basicHeader(id, "anything"), { client_id: id })).toBe("refused");
    expect(await attempt(publicClient, null, { client_id: "mcp_someone_else" })).toBe("refused");
    expect(await attempt(publicClient, null, { client_id: id, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" })).toBe(
      "refused",
    );
  });

  it("client_secret_basic: its secret in the Authorization header only", async () => {
    const { client_id: id, client_secret: secret } = basicClient;
    expect(secret).toMatch(/^tvs_/);
    expect(await attempt(basicClient, basicHeader(id, secret!), {})).toBe("accepted");
    expect(await attempt(basicClient, basicHeader(id, secret!), { client_id: id })).toBe("accepted");
    expect(await attempt(basicClient, basicHeader(id, `${secret}x`), {})).toBe("refused");
    expect(await attempt(basicClient, basicHeader(id, ""), {})).toBe("refused");
    expect(await attempt(basicClient, basicHeader(postClient.client_id, postClient.client_secret!), {})).toBe("refused");
    expect(await attempt(basicClient, null, { client_id: id, client_secret: secret! })).toBe("refused");
    expect(await attempt(basicClient, basicHeader(id, secret!), { client_secret: secret! })).toBe("refused");
    expect(await attempt(basicClient, `Bearer ${secret}`, {})).toBe("refused");
    expect(await attempt(basicClient, null, { client_id: id })).toBe("refused");
  });

  it("client_secret_post: its client_id and secret in the form only", async () => {
    const { client_id: id, client_secret: secret } = postClient;
    expect(await attempt(postClient, null, { client_id: id, client_secret: secret! })).toBe("accepted");
    expect(await attempt(postClient, null, { client_id: id, client_secret: basicClient.client_secret! })).toBe("refused");
    expect(await attempt(postClient, null, { client_secret: secret! })).toBe("refused");
    expect(await attempt(postClient, basicHeader(id, secret!), {})).toBe("refused");
    expect(await attempt(postClient, null, { client_id: id })).toBe("refused");
  });

  it("checks against a slow hash: the secret itself is stored nowhere", async () => {
    const row = await db.oAuthClient.findUniqueOrThrow({ where: { id: basicClient.client_id } });
    expect(row.secretHash).toMatch(/^scrypt\$N=\d+,r=\d+,p=\d+\$/);
    expect(JSON.stringify(row)).not.toContain(basicClient.client_secret!);
    expect((await db.oAuthClient.findUniqueOrThrow({ where: { id: publicClient.client_id } })).secretHash).toBeNull();
  });

  it("refuses a confidential client whose stored hash is gone", async () => {
    const lost = await registerClient({ redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "client_secret_post" });
    await db.oAuthClient.update({ where: { id: lost.client_id }, data: { secretHash: null } });
    expect(await attempt(lost, null, { client_id: lost.client_id, client_secret: lost.client_secret! })).toBe("refused");
  });
});
