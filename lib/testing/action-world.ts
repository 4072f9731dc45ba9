// A world for agent-action tests (proxy, tools, receipts): the vault world (real Demo Tasks provider,
// alice connected for real) plus agents with credentials, delegations, real delegation tokens from
// the token endpoint, and a transcript of every answer the vault gave, so a test can search all of
// it for the provider's live tokens. Call before anything imports the app's env or db.
import type { Ceiling } from "@/lib/agents/ceiling";
import type { Constraints } from "@/lib/delegations/constraints";
import { delegationToken } from "./agent-tokens";
import { PORTAL_ORIGIN } from "./connect-harness";
import { DEMO_TASKS_CEILING, insertDelegation } from "./fixtures";
import { agentWithCredentials, type TestClient } from "./oauth-clients";
import { startVaultWorld } from "./vault-world";

export const ISSUER = PORTAL_ORIGIN;

export type Answer = { status: number; headers: Headers; text: string; json: any };
type Handler = (req: Request, ctx?: { params: Promise<Record<string, string>> }) => Promise<Response>;

export async function startActionWorld(opts: { databaseUrl?: string } = {}) {
  const world = await startVaultWorld(opts);
  const { getDb } = await import("@/lib/db");
  const db = await getDb();
  const transcript: string[] = [];
  const secrets = new Set<string>();

  /** Reads an answer completely and keeps its status, headers and body for the leak scan. */
  async function record(res: Response): Promise<Answer> {
    const text = await res.text();
    const headerLines = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
    transcript.push(`${res.status}\n${headerLines}\n\n${text}`);
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  return {
    ...world,
    db,
    transcript,
    record,
    /** Notes the connection's current provider tokens, to be searched for in every answer later. */
    async rememberTokens(connectionId: string): Promise<{ access: string; refresh: string }> {
      const t = await world.plainTokens(connectionId);
      secrets.add(t.access);
      if (t.refresh) secrets.add(t.refresh);
      return t;
    },
    remember(secret: string) {
      secrets.add(secret);
    },
    /** Every remembered token found in any recorded answer (status line, headers, body). */
    leaks(): { answers: number; secrets: number; hits: string[] } {
      const hits: string[] = [];
      for (const entry of transcript) for (const s of secrets) if (entry.includes(s)) hits.push(`${s.slice(0, 6)}… in ${entry.slice(0, 80)}`);
      return { answers: transcript.length, secrets: secrets.size, hits };
    },
    agent: (ceiling: Partial<Ceiling> = DEMO_TASKS_CEILING) => agentWithCredentials(db, "acme", { ceiling }),
    async grant(
      client: TestClient,
      connection: { id: string; tenantId: string; userId: string },
      opts: { scopes?: string[]; tools?: string[]; constraints?: Partial<Constraints>; allowServiceAccount?: boolean } = {},
    ) {
      const d = await insertDelegation(db, {
        agentId: client.agent.id,
        connection,
        scopes: opts.scopes ?? ["tasks.read", "tasks.write"],
        tools: opts.tools ?? ["demo-tasks.list_tasks", "demo-tasks.create_task", "demo-tasks.delete_task", "demo-tasks.whoami"],
        constraints: opts.constraints ?? {},
      });
      if (opts.allowServiceAccount) await db.delegation.update({ where: { id: d.id }, data: { allowServiceAccount: true } });
      return d;
    },
    /** A real delegation access token from the token endpoint (RFC 8693 exchange). */
    token: (client: TestClient, delegationId: string): Promise<string> => delegationToken(client, delegationId),
    /** Calls a route handler the way Next would, recording the answer. */
    async send(
      handler: Handler,
      path: string,
      opts: { method?: string; token?: string; body?: unknown; rawBody?: string; params?: Record<string, string>; headers?: Record<string, string> } = {},
    ): Promise<Answer> {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined = opts.rawBody;
      if (opts.body !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(opts.body);
      }
      const req = new Request(`${ISSUER}${path}`, { method: opts.method ?? (body === undefined ? "GET" : "POST"), headers, body });
      return record(await handler(req, { params: Promise.resolve(opts.params ?? {}) }));
    },
  };
}

export type ActionWorld = Awaited<ReturnType<typeof startActionWorld>>;
