import "server-only";
// The one wrapper for portal BFF handlers (CONVENTIONS.md, 1): who is asking, whether the request
// came from the portal itself, parsed params and body, and one mapping from thrown errors to
// problem+json. Handlers stay about their one domain call.
import { NextResponse } from "next/server";
import type { z } from "zod";

import { personFromRequest } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { BadRequestError, VaultError } from "@/lib/errors";
import { describeIssues } from "@/lib/describe-issues";
import { problem, toProblem, unavailableProblem } from "@/lib/http/problem";
import { log } from "@/lib/log";
import { observeRequest } from "@/lib/monitor/series";
import type { Person } from "@/lib/tenancy/people";

type Schema = z.ZodType;
type RawParams = Record<string, string | string[] | undefined>;
type Infer<S, Otherwise> = S extends Schema ? z.output<S> : Otherwise;

export type RouteOptions<B extends Schema | undefined, P extends Schema | undefined> = {
  /** Only the tenant's administrators may call it. */
  admin?: boolean;
  body?: B;
  params?: P;
};

export type HandlerContext<B, P> = {
  person: Person;
  body: Infer<B, undefined>;
  params: Infer<P, RawParams>;
  req: Request;
};

/** Next 16 hands dynamic segments over as a Promise. */
export type RouteContext = { params: Promise<RawParams> };

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export { describeIssues };

/** JSON that no shared cache may keep: every BFF answer is one person's data. */
export function json(data: unknown, status = 200): NextResponse {
  return NextResponse.json(data, { status, headers: { "cache-control": "no-store" } });
}

export function withPerson<B extends Schema | undefined = undefined, P extends Schema | undefined = undefined>(
  options: RouteOptions<B, P>,
  handler: (ctx: HandlerContext<B, P>) => Promise<Response | object> | Response | object,
): (req: Request, ctx?: RouteContext) => Promise<Response> {
  const answer = personHandler(options, handler);
  return async (req, ctx) => {
    const startedAt = performance.now();
    const res = await answer(req, ctx);
    observeRequest("portal", req, res.status, startedAt);
    return res;
  };
}

function personHandler<B extends Schema | undefined, P extends Schema | undefined>(
  options: RouteOptions<B, P>,
  handler: (ctx: HandlerContext<B, P>) => Promise<Response | object> | Response | object,
): (req: Request, ctx?: RouteContext) => Promise<Response> {
  return async (req, ctx) => {
    try {
      const person = await personFromRequest(req);
      if (!person) {
        return problem({
          status: 401,
          code: "unauthenticated",
          title: "Sign-in required",
          detail: "You are not signed in: sign in to the portal and try again.",
        });
      }
      if (options.admin && person.role !== "admin") {
        return problem({ status: 403, code: "forbidden", title: "Administrators only", detail: "Only an administrator of your organisation can do this." });
      }
      // Cookies ride along on cross-site requests; the Origin header is what a forged form cannot fake.
      if (STATE_CHANGING.has(req.method.toUpperCase()) && !sameOrigin(req)) {
        return problem({
          status: 403,
          code: "origin_mismatch",
          title: "Request from another site",
          detail: "This request did not come from the portal: open the portal and try again there.",
        });
      }
      const rawParams: RawParams = (await ctx?.params) ?? {};
      const params = options.params ? parseOrThrow(options.params, rawParams, "address") : rawParams;
      const body = options.body ? parseOrThrow(options.body, await readJson(req), "request body") : undefined;
      const result = await handler({ person, body, params, req } as HandlerContext<B, P>);
      return result instanceof Response ? result : json(result);
    } catch (error) {
      return errorResponse(error, req);
    }
  };
}

export function sameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (!origin || origin === "null") return false;
  const allowed = new Set<string>([new URL(req.url).origin]);
  try {
    allowed.add(new URL(env().nextauthUrl).origin);
  } catch {
    // A broken NEXTAUTH_URL is reported at start; the request's own origin still applies.
  }
  return allowed.has(origin);
}

/** The request body as JSON; an empty body is `{}`, a broken one a 400 with a sentence. Shared with bearer-route.ts. */
export async function readJson(req: Request): Promise<unknown> {
  const text = await req.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError("The request body is not valid JSON: send a JSON object.");
  }
}

export function parseOrThrow<S extends Schema>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new BadRequestError(describeIssues(parsed.error.issues, where));
}

function errorResponse(error: unknown, req: Request): Response {
  if (error instanceof VaultError) return toProblem(error);
  const down = unavailableProblem(error, { method: req.method, path: new URL(req.url).pathname });
  if (down) return down;
  // Unknown failures may carry internals (SQL, stack, provider answers): logged here, never sent.
  log.error({ err: error, method: req.method, path: new URL(req.url).pathname }, "portal API handler failed");
  return problem({
    status: 500,
    code: "internal_error",
    title: "Internal error",
    detail: "Something went wrong on our side: try again, and tell your administrator if it keeps happening.",
  });
}
