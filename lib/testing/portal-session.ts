// Portal sessions for route tests, made the way next-auth's sign-in makes them: the demo provider's
// own authorize, next-auth's default token put through the portal's jwt callback, encrypted with the
// configured secret for the session's lifetime, under the cookie name next-auth reads. Route handlers
// then decode it for real (lib/auth/session.ts, personFromRequest), as they do behind Next.
// The app's modules are imported on first use: the world must set the configuration first.
import { encode, type JWT } from "next-auth/jwt";

import type { Person } from "@/lib/tenancy/people";

import { PORTAL_ORIGIN } from "./connect-harness";

/** What a session is minted from: the person row's ARN, e-mail and name. */
export type SessionPerson = Pick<Person, "arn" | "email" | "name">;

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function nextAuth() {
  const { authOptions } = await import("@/lib/auth/options");
  return authOptions();
}

/** The portal's public origin (NEXTAUTH_URL): where its pages are, and the Origin they send. */
export function portalOrigin(): string {
  return new URL(process.env.NEXTAUTH_URL ?? PORTAL_ORIGIN).origin;
}

/** The name next-auth gives the session cookie (its defaultCookies): __Secure- when the portal is on https. */
export function sessionCookieName(): string {
  return portalOrigin().startsWith("https://") ? "__Secure-next-auth.session-token" : "next-auth.session-token";
}

/** The claims sign-in writes for this person: next-auth's default token after the portal's jwt callback. */
export async function sessionClaims(person: SessionPerson): Promise<JWT> {
  const options = await nextAuth();
  const user = { id: person.arn, email: person.email, name: person.name };
  const token: JWT = { name: user.name, email: user.email, picture: undefined, sub: user.id };
  const account = { providerAccountId: user.id, type: "credentials" as const, provider: "demo" };
  return options.callbacks!.jwt!({ token, user, account, isNewUser: false, trigger: "signIn" });
}

/**
 * The session cookie's value. `secret`, `maxAge` (seconds; negative for one already expired) and
 * `claims` exist to forge the cookies a test must see refused.
 */
export async function sessionToken(person: SessionPerson, opts: { secret?: string; maxAge?: number; claims?: JWT } = {}): Promise<string> {
  const options = await nextAuth();
  return encode({
    token: opts.claims ?? (await sessionClaims(person)),
    secret: opts.secret ?? options.secret!,
    maxAge: opts.maxAge ?? options.session!.maxAge!,
  });
}

/** A `Cookie` header carrying the person's session. */
export async function sessionCookie(person: SessionPerson, opts: Parameters<typeof sessionToken>[1] = {}): Promise<string> {
  return `${sessionCookieName()}=${await sessionToken(person, opts)}`;
}

/** Signs a demo person in through the demo credentials provider's authorize, as the sign-in page does. */
export async function signInDemo(email: string): Promise<{ person: SessionPerson; cookie: string }> {
  const options = await nextAuth();
  type Authorize = (credentials: Record<string, string>, req: object) => Promise<{ id: string; email?: string | null; name?: string | null } | null>;
  // next-auth lays a provider's own options over its defaults when it starts, as here.
  const providers = options.providers.map((p) => ({ ...p, ...(p as { options?: object }).options }) as { id: string; authorize?: Authorize });
  const user = await providers.find((p) => p.id === "demo")?.authorize?.({ email }, {});
  if (!user) throw new Error(`the demo sign-in refused ${email}`);
  const person = { arn: user.id, email: user.email ?? "", name: user.name ?? "" };
  return { person, cookie: await sessionCookie(person) };
}

/** Changes the person's role in the database, which every request re-reads (sign-in never sets it). */
export async function setRole<P extends Person>(person: P, role: Person["role"]): Promise<P> {
  const { getDb } = await import("@/lib/db");
  await (await getDb()).user.update({ where: { arn: person.arn }, data: { role } });
  return { ...person, role };
}

export type PortalRequestInit = {
  method?: string;
  /** Sent as JSON; a string is sent as it is (to send a broken body). */
  body?: unknown;
  /** A whole `Cookie` header; none when absent or null. */
  cookie?: string | null;
  /** Defaults to the portal's own on POST, PUT, PATCH and DELETE, as a browser sends it; null sends none. */
  origin?: string | null;
  headers?: Record<string, string>;
};

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** A request as the portal's pages send it; `path` is under the portal's origin unless absolute. */
export function portalRequest(path: string, init: PortalRequestInit = {}): Request {
  const method = (init.method ?? (init.body === undefined ? "GET" : "POST")).toUpperCase();
  const headers: Record<string, string> = {};
  const origin = init.origin === undefined ? (STATE_CHANGING.has(method) ? portalOrigin() : null) : init.origin;
  if (origin !== null) headers.origin = origin;
  if (init.cookie) headers.cookie = init.cookie;
  let body: string | undefined;
  if (init.body !== undefined) {
    headers["content-type"] = "application/json";
    body = typeof init.body === "string" ? init.body : JSON.stringify(init.body);
  }
  return new Request(new URL(path, portalOrigin()), { method, headers: { ...headers, ...init.headers }, body });
}

/** One browser at the portal: whoever signed in last, their session cookie sent with every request. */
export function portalBrowser() {
  let cookie: string | null = null;
  const request = (path: string, init: PortalRequestInit = {}) => portalRequest(path, { cookie, ...init });
  return {
    async signIn(person: SessionPerson): Promise<void> {
      cookie = await sessionCookie(person);
    },
    signOut(): void {
      cookie = null;
    },
    get cookie(): string | null {
      return cookie;
    },
    request,
    /** Calls a route handler the way Next would, with this browser's request. */
    send(handler: Handler, path: string, init: PortalRequestInit & { params?: Record<string, string> } = {}): Promise<Response> {
      const { params, ...rest } = init;
      return handler(request(path, rest), { params: Promise.resolve(params ?? {}) });
    },
  };
}

export type PortalBrowser = ReturnType<typeof portalBrowser>;
