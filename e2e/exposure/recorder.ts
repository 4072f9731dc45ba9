// Recording for the zero-exposure journey: every response (headers and body) and request the
// browser makes in the recorded contexts, their console, cookies and web storage; every answer the
// test itself receives from the portal, through Playwright's request API or Node's fetch.
import type { APIRequestContext, APIResponse, BrowserContext, Page, Route } from "@playwright/test";

import { headerText, type Corpus } from "./corpus";

export class BrowserRecorder {
  private readonly pending: Promise<void>[] = [];
  private readonly contexts: Array<{ name: string; context: BrowserContext }> = [];
  responses = 0;
  consoleMessages = 0;
  storageSnapshots = 0;
  /** Non-redirect responses whose body was recorded neither when routed nor from the browser. */
  readonly missingBodies: string[] = [];
  /** Requests Playwright could not make for the page (the page got a network error instead), with why. */
  routeFailures = 0;
  readonly routeFailureDetails: string[] = [];
  private readonly fulfilled = new Set<string>();

  constructor(private readonly corpus: Corpus) {}

  /**
   * Records everything this context's pages receive from now on (pages opened later included).
   * Every request is routed through Playwright, which makes it, records the whole answer and hands
   * exactly those bytes to the page: so a body is recorded even when the page drops the load before
   * it ends (Next.js prefetches cut short by a navigation), and what is recorded is what the browser
   * got. Redirects are handed over as they are (the browser follows them itself).
   */
  async attach(name: string, context: BrowserContext): Promise<void> {
    this.contexts.push({ name, context });
    const handler = async (route: Route) => {
      const request = route.request();
      const key = `${request.method()} ${request.url()}`;
      let response;
      try {
        response = await route.fetch({ maxRedirects: 0 });
      } catch (first) {
        // A read the page makes (a prefetch, a query refetch) may meet a connection the server just
        // closed on a loaded machine: asked once more. A failing write is never repeated.
        const retry = request.method() === "GET" || request.method() === "HEAD";
        response = retry ? await route.fetch({ maxRedirects: 0 }).catch(() => undefined) : undefined;
        if (!response) {
          this.routeFailures += 1;
          this.routeFailureDetails.push(`${name} ${key}: ${(first as Error).message.split("\n")[0]}`);
          await route.abort().catch(() => {});
          return;
        }
      }
      const body = await response.body().catch(() => Buffer.alloc(0));
      this.fulfilled.add(key);
      this.corpus.add(
        "browser-response",
        `${name} ${key} -> ${response.status()} [as delivered]`,
        `${response.status()} ${response.url()}\n${headerText(response.headersArray())}\n\n${body.toString("latin1")}`,
      );
      await route.fulfill({ response, body }).catch(() => {
        // The page went away meanwhile: the answer was recorded all the same.
      });
    };
    await context.route("**/*", handler);
    // A popup's last page (the connect callback) closes itself as soon as it has told the portal the
    // outcome, before its body could be read: in recorded contexts a popup stays open until the test
    // closes it, so every body it received is in the corpus.
    await context.addInitScript(() => {
      if (window.opener) window.close = () => undefined;
    });
    context.on("request", (request) => {
      const post = request.postDataBuffer();
      this.corpus.add(
        "browser-request",
        `${name} ${request.method()} ${request.url()}`,
        `${request.method()} ${request.url()}\n${post ? post.toString("latin1") : ""}`,
      );
    });
    context.on("response", (response) => {
      this.responses += 1;
      const key = `${response.request().method()} ${response.url()}`;
      const label = `${name} ${key} -> ${response.status()}`;
      this.pending.push(
        (async () => {
          // Every header as the browser saw it, Set-Cookie included.
          const headers = await response.headersArray().catch(() => []);
          this.corpus.add("browser-response", `${label} [headers]`, `${response.status()} ${response.statusText()} ${response.url()}\n${headerText(headers)}`);
          try {
            this.corpus.add("browser-response", `${label} [body]`, await response.body());
          } catch {
            // Redirects have no body; nor do loads the page dropped (their body was recorded when routed).
            this.corpus.bodiesUnavailable += 1;
            const redirect = response.status() >= 300 && response.status() < 400;
            if (!redirect && !this.fulfilled.has(key)) this.missingBodies.push(label);
          }
        })(),
      );
    });
    context.on("console", (message) => {
      this.consoleMessages += 1;
      const where = message.location();
      this.corpus.add("browser-console", `${name} console.${message.type()} ${where.url}:${where.lineNumber}`, message.text());
    });
    context.on("weberror", (error) => this.corpus.add("browser-console", `${name} page error`, String(error.error()?.stack ?? error.error())));
  }

  /** Cookies, localStorage and sessionStorage of every open page of every recorded context. */
  async snapshot(step: string): Promise<void> {
    for (const { name, context } of this.contexts) {
      let pages: Page[];
      try {
        pages = context.pages();
        this.corpus.add("browser-cookies", `${name} cookies after ${step}`, JSON.stringify(await context.cookies()));
      } catch {
        continue; // The context is closed already.
      }
      for (const page of pages) {
        const storage = await page
          .evaluate(() => {
            const dump = (s: Storage) => Object.fromEntries(Array.from({ length: s.length }, (_, i) => s.key(i)!).map((k) => [k, s.getItem(k)]));
            return { origin: location.origin, localStorage: dump(window.localStorage), sessionStorage: dump(window.sessionStorage) };
          })
          .catch(() => null);
        if (!storage) continue;
        this.storageSnapshots += 1;
        this.corpus.add("browser-storage", `${name} ${storage.origin} storage after ${step}`, JSON.stringify(storage));
      }
    }
  }

  /** Waits until every response body fetched so far is in the corpus. */
  async settle(): Promise<void> {
    while (this.pending.length) await Promise.allSettled(this.pending.splice(0));
  }
}

export type ApiAnswer = { status: number; headers: Record<string, string>; text: string; json: () => any };

type Body = { form?: Record<string, string>; json?: unknown };

/**
 * The test's own calls to the portal, each answer recorded whole (status, every header, body).
 * Requests are not recorded: they carry the agent's credentials on purpose.
 */
export class ApiRecorder {
  calls = 0;

  constructor(
    private readonly corpus: Corpus,
    private readonly baseURL: string,
  ) {}

  private record(label: string, status: number, headers: Record<string, string>, body: Buffer): ApiAnswer {
    this.calls += 1;
    this.corpus.add("api-response", label, `${status}\n${headerText(headers)}\n\n${body.toString("latin1")}`);
    const text = body.toString("utf8");
    return { status, headers, text, json: () => JSON.parse(text) };
  }

  /** Through a Playwright request context (a person's session, or none for an agent). */
  async request(
    ctx: APIRequestContext,
    method: string,
    path: string,
    opts: Body & { headers?: Record<string, string>; who?: string } = {},
  ): Promise<ApiAnswer> {
    const res: APIResponse = await ctx.fetch(path, {
      method,
      headers: opts.headers,
      ...(opts.form ? { form: opts.form } : {}),
      ...(opts.json !== undefined ? { data: opts.json } : {}),
      maxRedirects: 0,
    });
    const headers = Object.fromEntries(res.headersArray().map((h) => [h.name.toLowerCase(), h.value]));
    return this.record(`${opts.who ?? "request"} ${method} ${path} -> ${res.status()}`, res.status(), headers, await res.body());
  }

  /** Through Node's fetch, as an agent outside any browser would. */
  async fetch(method: string, path: string, opts: Body & { headers?: Record<string, string>; who?: string } = {}): Promise<ApiAnswer> {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(opts.form).toString();
    } else if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    const res = await fetch(new URL(path, this.baseURL), { method, headers, body, redirect: "manual" });
    return this.record(
      `${opts.who ?? "fetch"} ${method} ${path} -> ${res.status}`,
      res.status,
      Object.fromEntries(res.headers),
      Buffer.from(await res.arrayBuffer()),
    );
  }
}

/**
 * A fetch for the MCP client's transport: every answer it receives is recorded (read from a clone,
 * in the background, so streamed answers reach the client unchanged).
 */
export function recordingFetch(
  corpus: Corpus,
  pending: Promise<void>[],
  counter: { messages: number },
): (url: string | URL, init?: RequestInit) => Promise<Response> {
  return async (url, init) => {
    const res = await fetch(url, init);
    const copy = res.clone();
    const label = `${init?.method ?? "GET"} ${String(url)} -> ${res.status}`;
    pending.push(
      copy
        .arrayBuffer()
        .then((buf) => {
          counter.messages += 1;
          corpus.add("mcp", label, `${res.status}\n${headerText(Object.fromEntries(res.headers))}\n\n${Buffer.from(buf).toString("latin1")}`);
        })
        .catch(() => {
          corpus.add("mcp", `${label} [headers only]`, `${res.status}\n${headerText(Object.fromEntries(res.headers))}`);
        }),
    );
    return res;
  };
}
