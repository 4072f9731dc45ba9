import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";
import { z } from "zod";
import { HttpError, page, readJson, sendError, sendHtml, sendJson } from "./http-util.js";
import { handleInteraction } from "./interactions.js";
import { createOidcProvider } from "./provider.js";
import { RefreshGrace } from "./refresh-grace.js";
import { createTasksApi, type TasksApi } from "./tasks-api.js";

export type DemoClient = { clientId: string; clientSecret: string; redirectUris: string[] };

export type DemoProviderOptions = {
  /** 0 (default) picks any free port. The server only ever binds 127.0.0.1. */
  port?: number;
  clients: DemoClient[];
  /** Default 300. */
  accessTokenTtlSeconds?: number;
  /** Enables the /__test/* endpoints; they answer 404 otherwise. */
  testControls?: boolean;
  /**
   * How long (seconds from its rotation) a rotated refresh token is honoured again while the new
   * tokens are unused, so a client that lost the answer recovers (refresh-grace.ts). 0 (default): none.
   */
  refreshTokenGraceSeconds?: number;
};

export type DemoProviderStats = {
  tokenRequests: number;
  authorizationCodeGrants: number;
  refreshGrants: number;
  /** Refresh grants answered again for a rotated refresh token within its grace (a lost answer). */
  refreshReplays: number;
  /** Rotated refresh tokens presented again past their grace: refused, and their grant revoked. */
  refreshReuses: number;
  revocations: number;
};

export type DemoProvider = {
  issuer: string;
  port: number;
  close(): Promise<void>;
  stats(): DemoProviderStats;
  /** Successful refresh grants of this refresh token (2 for one whose first answer was lost). */
  refreshGrantsOf(refreshToken: string): number;
  /** Test controls only: changes refreshTokenGraceSeconds from now on. */
  setRefreshTokenGrace(seconds: number): void;
  /**
   * Test controls only: `hook` sees each tasks-API request first and takes it over by returning
   * true (to hold it unanswered, say); null removes it.
   */
  interceptApi(hook: ((req: IncomingMessage, res: ServerResponse) => boolean) | null): void;
};

const HOST = "127.0.0.1";
// oidc-provider's default route names; the token endpoint is intercepted for counting/faults.
const TOKEN_PATH = "/token";
const REVOCATION_PATH = "/token/revocation";

const failBody = z.object({
  count: z.number().int().min(0).max(1000).optional(),
  status: z.union([z.literal(500), z.literal(502), z.literal(503)]).optional(),
});
const slowBody = z.object({ ms: z.number().int().min(0).max(60_000), count: z.number().int().min(0).max(1000).optional() });
const graceBody = z.object({ seconds: z.number().int().min(0).max(86_400) });

type App = {
  provider: Provider;
  callback: (req: IncomingMessage, res: ServerResponse) => unknown;
  tasks: TasksApi;
};

export async function startDemoProvider(opts: DemoProviderOptions): Promise<DemoProvider> {
  const counters: Omit<DemoProviderStats, "refreshReplays"> = {
    tokenRequests: 0,
    authorizationCodeGrants: 0,
    refreshGrants: 0,
    refreshReuses: 0,
    revocations: 0,
  };
  const grace = new RefreshGrace(opts.refreshTokenGraceSeconds ?? 0);
  let failTokenRequests = 0;
  let failTokenStatus = 500;
  let slowTokenRequests = { ms: 0, count: 0 };
  let apiHook: ((req: IncomingMessage, res: ServerResponse) => boolean) | null = null;
  // Test controls only: every access and refresh token value ever handed out (rotated, revoked and
  // expired ones included), so a test can search everything the vault exposed for them.
  const issuedTokens = opts.testControls ? new IssuedTokens() : undefined;
  let app: App | undefined;
  let issuer = "";

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!app) throw new HttpError(503, "temporarily_unavailable", "provider is starting");
    const url = new URL(req.url ?? "/", issuer);
    const { pathname } = url;
    const method = req.method ?? "GET";

    if (pathname.startsWith("/__test/")) {
      if (!opts.testControls) throw new HttpError(404, "not_found", "not found");
      await testControl(req, res, pathname, method, app);
      return;
    }

    // RFC 8414 clients look here; oidc-provider only serves the OpenID Connect discovery path.
    if (pathname === "/.well-known/oauth-authorization-server") {
      req.url = `/.well-known/openid-configuration${url.search}`;
      await app.callback(req, res);
      return;
    }

    if (method === "GET" && pathname === "/") {
      sendHtml(res, 200, landingPage(issuer));
      return;
    }

    if (apiHook && opts.testControls && !pathname.startsWith("/.well-known/") && apiHook(req, res)) return;
    if (await app.tasks.handle(req, res, pathname)) return;
    if (await handleInteraction(app.provider, req, res, pathname)) return;

    if (method === "POST" && pathname === TOKEN_PATH) {
      counters.tokenRequests += 1;
      if (slowTokenRequests.count > 0) {
        slowTokenRequests.count -= 1;
        await new Promise((resolve) => setTimeout(resolve, slowTokenRequests.ms));
      }
      if (issuedTokens) issuedTokens.captureTokenResponse(res);
      if (failTokenRequests > 0) {
        failTokenRequests -= 1;
        // Drain the body so the client sees a clean 500 rather than a reset connection.
        req.resume();
        sendJson(res, failTokenStatus, {
          error: failTokenStatus === 503 ? "temporarily_unavailable" : "server_error",
          error_description: "injected failure (test control)",
        });
        return;
      }
    }
    if (method === "POST" && pathname === REVOCATION_PATH) {
      res.on("finish", () => {
        if (res.statusCode === 200) counters.revocations += 1;
      });
    }
    await app.callback(req, res);
  }

  async function testControl(req: IncomingMessage, res: ServerResponse, pathname: string, method: string, current: App): Promise<void> {
    if (method === "POST" && pathname === "/__test/fail-token-endpoint") {
      const parsed = failBody.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, "invalid_request", "count must be an integer 0-1000");
      failTokenRequests = parsed.data.count ?? 1;
      failTokenStatus = parsed.data.status ?? 500;
      sendJson(res, 200, { failTokenRequests });
      return;
    }
    if (method === "POST" && pathname === "/__test/slow-token-endpoint") {
      const parsed = slowBody.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, "invalid_request", "ms must be an integer 0-60000, count 0-1000");
      slowTokenRequests = { ms: parsed.data.ms, count: parsed.data.count ?? 1 };
      sendJson(res, 200, slowTokenRequests);
      return;
    }
    if (method === "POST" && pathname === "/__test/refresh-token-grace") {
      const parsed = graceBody.safeParse(await readJson(req));
      if (!parsed.success) throw new HttpError(400, "invalid_request", "seconds must be an integer 0-86400");
      grace.graceSeconds = parsed.data.seconds;
      sendJson(res, 200, { refreshTokenGraceSeconds: grace.graceSeconds });
      return;
    }
    if (method === "POST" && pathname === "/__test/expire-access-tokens") {
      current.tasks.expireIssuedAccessTokens();
      sendJson(res, 200, { expired: true });
      return;
    }
    if (method === "GET" && pathname === "/__test/stats") {
      sendJson(res, 200, { ...counters, refreshReplays: grace.replays });
      return;
    }
    if (method === "GET" && pathname === "/__test/issued-tokens") {
      sendJson(res, 200, issuedTokens!.list());
      return;
    }
    throw new HttpError(404, "not_found", "unknown test control");
  }

  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof HttpError) {
        sendError(res, err);
        return;
      }
      console.error("[demo-provider] unhandled error", err);
      sendJson(res, 500, { error: "server_error", error_description: "unexpected error" });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  issuer = `http://${HOST}:${port}`;

  try {
    const provider = await createOidcProvider(issuer, opts.clients, opts.accessTokenTtlSeconds ?? 300, grace);
    provider.on("grant.success", (ctx) => {
      const grantType = ctx.oidc.params?.grant_type;
      if (grantType === "authorization_code") counters.authorizationCodeGrants += 1;
      else if (grantType === "refresh_token") counters.refreshGrants += 1;
    });
    provider.on("grant.error", (_ctx, err) => {
      if ((err as { error_detail?: unknown }).error_detail === "refresh token already used") counters.refreshReuses += 1;
    });
    if (issuedTokens) {
      // Opaque tokens (the default format here): the value handed out is the token's id.
      provider.on("access_token.saved", (token) => issuedTokens.add("access", token.jti));
      provider.on("refresh_token.saved", (token) => issuedTokens.add("refresh", token.jti));
    }
    app = { provider, callback: provider.callback(), tasks: createTasksApi(provider) };
  } catch (err) {
    await closeServer(server);
    throw err;
  }

  let closing: Promise<void> | undefined;
  return {
    issuer,
    port,
    close() {
      closing ??= closeServer(server);
      return closing;
    },
    stats: () => ({ ...counters, refreshReplays: grace.replays }),
    refreshGrantsOf: (refreshToken) => grace.grantsOf(refreshToken),
    setRefreshTokenGrace(seconds) {
      if (!opts.testControls) throw new Error("the refresh-token grace can only be changed with test controls on");
      grace.graceSeconds = seconds;
    },
    interceptApi(hook) {
      apiHook = hook;
    },
  };
}

/** Token values as issued: read from the token endpoint's own answers and from the token models' saves. */
class IssuedTokens {
  private readonly access = new Set<string>();
  private readonly refresh = new Set<string>();
  private tokenResponses = 0;

  add(kind: "access" | "refresh", value: unknown): void {
    if (typeof value === "string" && value !== "") (kind === "access" ? this.access : this.refresh).add(value);
  }

  /** Copies the body oidc-provider writes for POST /token and records the tokens in a 200 answer. */
  captureTokenResponse(res: ServerResponse): void {
    const chunks: Buffer[] = [];
    const keep = (chunk: unknown, encoding?: unknown) => {
      if (typeof chunk === "string") chunks.push(Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8"));
      else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk));
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      if (typeof args[0] !== "function") keep(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    res.on("finish", () => {
      if (res.statusCode !== 200) return;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
        this.tokenResponses += 1;
        this.add("access", body.access_token);
        this.add("refresh", body.refresh_token);
      } catch {
        // Not JSON: nothing was issued.
      }
    });
  }

  list(): { accessTokens: string[]; refreshTokens: string[]; tokenResponses: number } {
    return { accessTokens: [...this.access], refreshTokens: [...this.refresh], tokenResponses: this.tokenResponses };
  }
}

function closeServer(server: ReturnType<typeof createServer>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // Keep-alive sockets (fetch keeps them) would otherwise hold close() open indefinitely.
    server.closeAllConnections();
  });
}

function landingPage(issuer: string): string {
  return page(
    "Demo Tasks",
    `<h1>Demo Tasks</h1>
<p>A local OAuth 2.0 authorization server with a small tasks API, for trying the vault offline.</p>
<p>Metadata: <code>${issuer}/.well-known/oauth-authorization-server</code></p>
<p>Demo accounts: alice, bob, carol (password <code>demo</code>).</p>`,
  );
}
