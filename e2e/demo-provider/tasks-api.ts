import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { z } from "zod";
import { DEMO_ACCOUNTS, profileOf } from "./accounts.js";
import { HttpError, readJson, sendJson } from "./http-util.js";

export type Task = { id: string; title: string; done: boolean; createdAt: string };

export const TASKS_READ = "tasks.read";
export const TASKS_WRITE = "tasks.write";

const SEED_TITLES: Record<string, [string, string]> = {
  alice: ["Buy oat milk", "Water the plants"],
  bob: ["Book dentist appointment", "Renew library card"],
  carol: ["Send invoice to Acme", "Plan team offsite"],
};

const createTaskBody = z.object({ title: z.string().trim().min(1).max(200) });

export type TasksApi = {
  /** Returns false when the path is not part of the tasks API, so the caller can route elsewhere. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>;
  /** Test control: every access token issued so far is treated as expired from now on. */
  expireIssuedAccessTokens(): void;
};

type Caller = { sub: string; scopes: Set<string> };

export function createTasksApi(provider: Provider): TasksApi {
  const store = new Map<string, Task[]>();
  for (const account of DEMO_ACCOUNTS) {
    const [a, b] = SEED_TITLES[account] ?? ["First task", "Second task"];
    const now = new Date().toISOString();
    store.set(account, [
      { id: randomUUID(), title: a, done: false, createdAt: now },
      { id: randomUUID(), title: b, done: true, createdAt: now },
    ]);
  }

  // Token ids rather than an `iat` cutoff: `iat` has one-second resolution, so a cutoff would also
  // kill tokens minted in the same second right after the test asked for expiry.
  const issued = new Set<string>();
  const forcedExpired = new Set<string>();
  provider.on("access_token.saved", (token) => {
    issued.add(token.jti);
  });
  provider.on("access_token.destroyed", (token) => {
    issued.delete(token.jti);
  });

  async function authenticate(req: IncomingMessage): Promise<Caller> {
    const header = req.headers.authorization ?? "";
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i.exec(header.trim());
    const token = match?.[1];
    if (!token) throw invalidToken("missing bearer token");
    const at = await provider.AccessToken.find(token);
    if (!at || forcedExpired.has(at.jti)) throw invalidToken("token is unknown, expired or revoked");
    // Reuse of a rotated refresh token revokes the grant; make sure nothing outlives its grant.
    const grant = await provider.Grant.find(at.grantId);
    if (!grant) throw invalidToken("token grant has been revoked");
    return { sub: at.accountId, scopes: at.scopes };
  }

  function requireScope(caller: Caller, scope: string): void {
    if (!caller.scopes.has(scope)) {
      throw new HttpError(403, "insufficient_scope", `this request needs the ${scope} scope`, {
        "www-authenticate": `Bearer realm="demo-tasks", error="insufficient_scope", scope="${scope}"`,
      });
    }
  }

  function tasksOf(sub: string): Task[] {
    let list = store.get(sub);
    if (!list) {
      list = [];
      store.set(sub, list);
    }
    return list;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    const method = req.method ?? "GET";

    if (pathname === "/me") {
      if (method !== "GET") throw methodNotAllowed("GET");
      const caller = await authenticate(req);
      const profile = profileOf(caller.sub);
      if (!profile) throw invalidToken("token subject no longer exists");
      sendJson(res, 200, profile);
      return true;
    }

    if (pathname === "/tasks") {
      if (method === "GET") {
        const caller = await authenticate(req);
        requireScope(caller, TASKS_READ);
        sendJson(res, 200, { tasks: tasksOf(caller.sub) });
        return true;
      }
      if (method === "POST") {
        const caller = await authenticate(req);
        requireScope(caller, TASKS_WRITE);
        const parsed = createTaskBody.safeParse(await readJson(req));
        if (!parsed.success) {
          throw new HttpError(400, "invalid_request", "title must be a string of 1-200 characters");
        }
        const task: Task = {
          id: randomUUID(),
          title: parsed.data.title,
          done: false,
          createdAt: new Date().toISOString(),
        };
        tasksOf(caller.sub).push(task);
        sendJson(res, 201, task);
        return true;
      }
      throw methodNotAllowed("GET, POST");
    }

    const item = /^\/tasks\/([^/]+)$/.exec(pathname);
    if (item) {
      if (method !== "DELETE") throw methodNotAllowed("DELETE");
      const caller = await authenticate(req);
      requireScope(caller, TASKS_WRITE);
      const id = decodeURIComponent(item[1] ?? "");
      const list = tasksOf(caller.sub);
      const index = list.findIndex((t) => t.id === id);
      // Another account's task answers 404 too, so ids do not leak across accounts.
      if (index === -1) throw new HttpError(404, "not_found", "no such task");
      list.splice(index, 1);
      res.writeHead(204, { "cache-control": "no-store" });
      res.end();
      return true;
    }

    return false;
  }

  return {
    handle,
    expireIssuedAccessTokens() {
      for (const jti of issued) forcedExpired.add(jti);
      issued.clear();
    },
  };
}

function invalidToken(description: string): HttpError {
  return new HttpError(401, "invalid_token", description, {
    "www-authenticate": `Bearer realm="demo-tasks", error="invalid_token"`,
  });
}

function methodNotAllowed(allow: string): HttpError {
  return new HttpError(405, "invalid_request", "method not allowed", { allow });
}
