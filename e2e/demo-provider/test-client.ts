import * as oauth from "oauth4webapi";

/**
 * Test-only browser stand-in: drives the authorization request, login and consent pages with
 * fetch, following redirects by hand so every hop (and the final callback) can be inspected.
 */

export const REQUEST_TIMEOUT_MS = 5_000;

export class CookieJar {
  private readonly cookies = new Map<string, string>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attrs.some((a) => {
        const [k = "", v = ""] = a.split("=");
        if (k.toLowerCase() === "max-age") return Number(v) <= 0;
        if (k.toLowerCase() === "expires") return Date.parse(v) <= Date.now();
        return false;
      });
      // Paths are ignored on purpose: the provider reads cookies by name, and sending a few extra
      // ones is harmless for these tests.
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
}

export type Browser = {
  jar: CookieJar;
  /** One request, no redirect following; cookies are sent and stored. */
  request(url: string | URL, init?: { method?: string; form?: Record<string, string> }): Promise<Response>;
  /** Follows redirects while they stay on `origin`; returns the last response and its URL. */
  follow(url: string | URL, origin: string): Promise<{ res: Response; url: URL }>;
};

export function newBrowser(): Browser {
  const jar = new CookieJar();
  async function request(url: string | URL, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { cookie: jar.header() };
    let body: string | undefined;
    if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, {
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    jar.store(res);
    return res;
  }
  async function follow(start: string | URL, origin: string): Promise<{ res: Response; url: URL }> {
    let url = new URL(start);
    for (let hops = 0; hops < 10; hops++) {
      const res = await request(url);
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) return { res, url };
      const next = new URL(location, url);
      if (next.origin !== origin) return { res, url: next };
      await res.arrayBuffer();
      url = next;
    }
    throw new Error("too many redirects");
  }
  return { jar, request, follow };
}

export type AuthorizeParams = Record<string, string | undefined>;

export function authorizationUrl(as: oauth.AuthorizationServer, params: AuthorizeParams): URL {
  const url = new URL(as.authorization_endpoint ?? "");
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Pulls the interaction form action out of a rendered page. */
export function formAction(html: string, base: URL): URL {
  const match = /<form method="post" action="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error(`no form in page: ${html.slice(0, 200)}`);
  return new URL(match[1], base);
}

export type FlowOptions = {
  username?: string;
  password?: string;
  decision?: "allow" | "deny";
};

/**
 * Login + consent for an already-built authorization URL. Returns the URL the provider finally
 * redirected to (the client's callback carrying code/error, state and iss).
 */
export async function completeAuthorization(browser: Browser, issuer: string, authUrl: URL, opts: FlowOptions = {}): Promise<URL> {
  let step = await browser.follow(authUrl, issuer);
  for (let pages = 0; pages < 4; pages++) {
    // Error redirects (and silent re-authorization) can reach the callback without any page.
    if (step.url.origin !== issuer) return step.url;
    const html = await step.res.text();
    if (step.res.status !== 200) throw new Error(`unexpected ${step.res.status} at ${step.url}: ${html.slice(0, 300)}`);
    const action = formAction(html, step.url);
    const form: Record<string, string> = html.includes("<title>Demo Tasks - Sign in</title>")
      ? { username: opts.username ?? "alice", password: opts.password ?? "demo" }
      : { decision: opts.decision ?? "allow" };
    const posted = await browser.request(action, { form });
    const location = posted.headers.get("location");
    if (!location) throw new Error(`form post answered ${posted.status} without a redirect`);
    await posted.arrayBuffer();
    const next = new URL(location, action);
    if (next.origin !== issuer) return next;
    step = await browser.follow(next, issuer);
  }
  throw new Error("authorization did not finish");
}
