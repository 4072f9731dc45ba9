// The load scenario's world, made through the vault's own code paths in this process (the portals
// serve the same database): a tenant of its own with an administrator and enough people that each
// connects Demo Tasks up to three times (the provider's accounts alice, bob and carol) for the
// wanted number of connections, each by the real connect flow (login and consent at the provider,
// code exchange); agents registered by the administrator, four virtual agents to each registered
// one, and one delegation (read and write, three tools and the proxy) per virtual agent, spread
// over the connections. Call once this process's configuration names the database, the data
// folder and the portal's public URL (the vault's modules are imported on first use).
import { DEMO_ACCOUNTS } from "../e2e/demo-provider/accounts";
import { startDemoProvider } from "../e2e/demo-provider/server";
import { completeAuthorization, newBrowser } from "../e2e/demo-provider/test-client";
import { ensureDemoSecrets } from "../lib/env/demo-files";

export const LOAD_TENANT = "loadtest";
/** Virtual agents per registered agent: few token exchanges per agent, far under the velocity alert. */
const VIRTUAL_PER_AGENT = 4;
export const LOAD_TOOLS = ["demo-tasks.list_tasks", "demo-tasks.create_task", "demo-tasks.delete_task"];

export type LoadConnection = { id: string; owner: string; account: string };
/** One virtual agent's credentials: its registered agent and its own delegation. */
export type VirtualAgentGrant = { index: number; clientId: string; clientSecret: string; delegationId: string; connectionId: string };
export type LoadWorld = { tenantId: string; people: number; registeredAgents: number; connections: LoadConnection[]; grants: VirtualAgentGrant[] };

/**
 * Makes this process the load run's portal (one database, one data folder, one issuer, which the
 * instances it starts inherit) and starts Demo Tasks on `providerPort`, its access tokens living
 * REFRESH_SKEW_MS + `freshSeconds`: each is due for refresh `freshSeconds` after it was issued (a
 * shorter life would have every call refresh first).
 */
export async function startLoadProvider(opts: {
  dataDir: string;
  portalPort: number;
  origin: string;
  providerPort: number;
  databaseUrl: string;
  freshSeconds: number;
  logLevel: string;
}) {
  const { demoProviderSecret, metricsToken } = ensureDemoSecrets(opts.dataDir);
  Object.assign(process.env, {
    VAULT_MODE: "demo",
    VAULT_DATA_DIR: opts.dataDir,
    PORT: String(opts.portalPort),
    NEXTAUTH_URL: opts.origin,
    DEMO_PROVIDER_PORT: String(opts.providerPort),
    DATABASE_URL: opts.databaseUrl,
    LOG_LEVEL: opts.logLevel,
  });
  const { REFRESH_SKEW_MS } = await import("../lib/vault/refresh/refresher");
  const tokenSeconds = REFRESH_SKEW_MS / 1000 + opts.freshSeconds;
  const provider = await startDemoProvider({
    port: opts.providerPort,
    accessTokenTtlSeconds: tokenSeconds,
    testControls: true,
    clients: [{ clientId: "token-vault-portal", clientSecret: demoProviderSecret, redirectUris: [`${opts.origin}/api/oauth/callback`] }],
  });
  return { provider, metricsToken, tokenSeconds };
}

/** Runs fn over items, at most `width` at once. */
async function pool<T, R>(items: readonly T[], width: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) out[i] = await fn(items[i]!, i);
    }),
  );
  return out;
}

export async function seedLoadWorld(opts: { providerIssuer: string; connections: number; agents: number; say?: (s: string) => void }): Promise<LoadWorld> {
  const { upsertPerson } = await import("@/lib/tenancy/people");
  const { startConnect, completeConnect } = await import("@/lib/vault/connect/flow");
  const { registerAgent } = await import("@/lib/agents/agents");
  const { createAgentBody } = await import("@/lib/agents/schemas");
  const { grantDelegation } = await import("@/lib/delegations/delegations");
  const { createDelegationBody } = await import("@/lib/delegations/schemas");
  const say = opts.say ?? (() => undefined);
  const tenant = { tenantId: LOAD_TENANT, tenantName: "Load test" };

  const admin = await upsertPerson({ ...tenant, id: "admin", email: "admin@loadtest.test", name: "Load Admin", role: "admin" });
  const peopleCount = Math.ceil(opts.connections / DEMO_ACCOUNTS.length);
  const people = await pool(
    Array.from({ length: peopleCount }, (_, i) => String(i + 1).padStart(3, "0")),
    4,
    (n) => upsertPerson({ ...tenant, id: `person-${n}`, email: `person-${n}@loadtest.test`, name: `Person ${n}`, role: "user" }),
  );

  // Connection j: person j / 3 connects provider account j % 3.
  const connections = await pool(
    Array.from({ length: opts.connections }, (_, j) => j),
    4,
    async (j) => {
      const person = people[Math.floor(j / DEMO_ACCOUNTS.length)]!;
      const account = DEMO_ACCOUNTS[j % DEMO_ACCOUNTS.length]!;
      const { url, binding } = await startConnect({ person, providerKey: "demo-tasks", scopes: ["tasks.read", "tasks.write"] });
      const callback = await completeAuthorization(newBrowser(), opts.providerIssuer, url, { username: account, password: "demo" });
      const { connectionId } = await completeConnect({ person, query: callback.searchParams, binding });
      return { id: connectionId, owner: person.id, account, person };
    },
  );
  say(`${connections.length} connections of ${people.length} people (Demo Tasks accounts ${DEMO_ACCOUNTS.join(", ")})`);

  const registered = await pool(
    Array.from({ length: Math.ceil(opts.agents / VIRTUAL_PER_AGENT) }, (_, k) => k),
    4,
    async (k) => {
      const body = createAgentBody.parse({
        name: `Load agent ${String(k + 1).padStart(3, "0")}`,
        description: "Reads and writes tasks for the load scenario.",
        credentials: { secret: true },
        ceiling: {
          providers: ["demo-tasks"],
          tools: LOAD_TOOLS,
          methods: ["GET", "POST", "DELETE"],
          pathPatterns: ["/tasks", "/tasks/*"],
          maxDelegationSeconds: 86_400,
        },
      });
      const answer = await registerAgent(admin, body);
      if (!answer.clientSecret) throw new Error("registering a load agent returned no client secret");
      return { id: answer.agent.id, clientId: answer.agent.clientId, clientSecret: answer.clientSecret };
    },
  );

  // Virtual agent i: registered agent i / 4, on connection i % connections (an agent's four are on four connections).
  const grants = await pool(
    Array.from({ length: opts.agents }, (_, i) => i),
    4,
    async (i) => {
      const agent = registered[Math.floor(i / VIRTUAL_PER_AGENT)]!;
      const connection = connections[i % connections.length]!;
      const body = createDelegationBody.parse({
        agentId: agent.id,
        connectionId: connection.id,
        scopes: ["tasks.read", "tasks.write"],
        tools: LOAD_TOOLS,
        expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
      const delegation = await grantDelegation(connection.person, body);
      return { index: i, clientId: agent.clientId, clientSecret: agent.clientSecret, delegationId: delegation.id, connectionId: connection.id };
    },
  );
  say(`${registered.length} agents registered, ${grants.length} delegations (one per virtual agent)`);
  return {
    tenantId: LOAD_TENANT,
    people: people.length,
    registeredAgents: registered.length,
    connections: connections.map(({ id, owner, account }) => ({ id, owner, account })),
    grants,
  };
}
