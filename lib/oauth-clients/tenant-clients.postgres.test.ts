// Simultaneous first connects under real concurrency (PostgreSQL, a pool of connections, READ
// COMMITTED): many people connecting the same new client at the same moment still make exactly one
// TenantClient row and, under "tenant_default", exactly one backing agent, and every one of them is
// told the same standing.
import { afterAll, describe, expect, it } from "vitest";

import { createPostgresDatabase } from "@/lib/testing/db";
import { startConnectWorld } from "@/lib/testing/connect-harness";

const database = await createPostgresDatabase();
const world = await startConnectWorld({ databaseUrl: database.url });
const { getDb, closeDb } = await import("@/lib/db");
const { DEMO_TASKS_CEILING } = await import("@/lib/testing/fixtures");
const { registerClient } = await import("./registration");
const { resolveClient } = await import("./resolve");
const { clientStandingFor } = await import("./tenant-clients");
const { alice, bob } = world.people;
const db = await getDb();

afterAll(async () => {
  await closeDb();
  await world.provider.close();
  await database.drop();
});

async function newClient() {
  const { client_id } = await registerClient({ client_name: "Busy client", redirect_uris: ["https://app.example.com/cb"], token_endpoint_auth_method: "none" });
  return resolveClient(client_id);
}

const connectAtOnce = (client: Awaited<ReturnType<typeof newClient>>, times: number) =>
  Promise.all(
    Array.from({ length: times }, (_, i) => {
      const person = i % 2 ? alice : bob;
      return clientStandingFor({ tenantId: "acme", client, person: { id: person.id, role: person.role } });
    }),
  );

describe("first connects at the same moment (PostgreSQL)", () => {
  it('make one row and one agent under "tenant_default", three rounds over', async () => {
    await db.tenant.update({ where: { id: "acme" }, data: { mcpClientPolicy: { newClients: "tenant_default", defaultCeiling: DEMO_TASKS_CEILING } } });
    for (let round = 0; round < 3; round++) {
      const client = await newClient();
      const answers = await connectAtOnce(client, 12);
      const agents = new Set(answers.map((a) => (a.status === "approved" ? a.agent.id : `not approved: ${a.status}`)));
      expect(agents.size, `round ${round}`).toBe(1);
      expect(await db.tenantClient.count({ where: { clientId: client.id } })).toBe(1);
      expect(await db.agent.count({ where: { description: { contains: client.id } } })).toBe(1);
    }
  });

  it('make one pending row under "approval"', async () => {
    await db.tenant.update({ where: { id: "acme" }, data: { mcpClientPolicy: {} } });
    const client = await newClient();
    const answers = await connectAtOnce(client, 12);
    expect(answers.every((a) => a.status === "pending")).toBe(true);
    expect(await db.tenantClient.count({ where: { clientId: client.id } })).toBe(1);
    expect(await db.auditEvent.count({ where: { action: "mcp_client.request", target: client.id } })).toBe(1);
  });
});
