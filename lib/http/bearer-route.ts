import "server-only";
// The one wrapper for agent-facing handlers (CONVENTIONS.md, 1), the bearer-token twin of withPerson:
// who is calling (a vault access token, re-checked against the agent and delegation on every call),
// parsed params and body, one mapping from thrown errors to problem+json, and X-Request-ID echoed on
// every answer so an agent can match its logs with the audit log. No Origin check: a bearer token
// is not an ambient credential a browser attaches on its own.
import { randomUUID } from "node:crypto";

import { NextResponse } from "next/server";
import type { z } from "zod";

import { VaultError } from "@/lib/errors";
import { problem, toProblem, unavailableProblem } from "@/lib/http/problem";
import { parseOrThrow, readJson } from "@/lib/http/route";
import { log } from "@/lib/log";
import { observeRequest } from "@/lib/monitor/series";
import { authenticateBearer, BearerError, type AgentCaller, type BearerCaller, type DelegationCaller } from "@/lib/oauth-server/bearer";
import { bearerChallenge } from "@/lib/oauth-server/challenge";

export { bearerChallenge };

type Schema = z.ZodType;
type RawParams = Record<string, string | string[] | undefined>;
type Infer<S, Otherwise> = S extends Schema ? z.output<S> : Otherwise;
type Kind = BearerCaller["kind"];
type CallerOf<K extends Kind> = K extends "agent" ? AgentCaller : DelegationCaller;

export type BearerRouteOptions<K extends Kind, B extends Schema | undefined, P extends Schema | undefined> = {
  /** Which tokens this route takes: an agent token, a delegation token, or either. */
  accept: readonly K[];
  body?: B;
  params?: P;
  /**
   * The route acts (proxy, tool call): the token's rows may come from memory, because the action's
   * decision is confirmed against the current policy when its audit record is written.
   */
  acts?: boolean;
};

export type BearerHandlerContext<K extends Kind, B, P> = {
  caller: CallerOf<K>;
  body: Infer<B, undefined>;
  params: Infer<P, RawParams>;
  req: Request;
  /** The caller's X-Request-ID (or one made up here); pass it to the PDP so the audit event carries it. */
  requestId: string;
};

export type RouteContext = { params: Promise<RawParams> };

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function withBearer<K extends Kind, B extends Schema | undefined = undefined, P extends Schema | undefined = undefined>(
  options: BearerRouteOptions<K, B, P>,
  handler: (ctx: BearerHandlerContext<K, B, P>) => Promise<Response | object> | Response | object,
): (req: Request, ctx?: RouteContext) => Promise<Response> {
  return async (req, ctx) => {
    const startedAt = performance.now();
    const requestId = requestIdOf(req);
    let response: Response;
    try {
      const caller = await authenticateBearer(req, { cached: options.acts === true });
      if (!(options.accept as readonly Kind[]).includes(caller.kind)) {
        response = wrongKind(caller.kind, options.accept);
      } else {
        const rawParams: RawParams = (await ctx?.params) ?? {};
        const params = options.params ? parseOrThrow(options.params, rawParams, "address") : rawParams;
        const body = options.body ? parseOrThrow(options.body, await readJson(req), "request body") : undefined;
        const result = await handler({ caller: caller as CallerOf<K>, body, params, req, requestId } as BearerHandlerContext<K, B, P>);
        response = result instanceof Response ? result : NextResponse.json(result, { headers: { "cache-control": "no-store" } });
      }
    } catch (error) {
      response = errorResponse(error, req, requestId);
    }
    response.headers.set("x-request-id", requestId);
    observeRequest("agent", req, response.status, startedAt);
    return response;
  };
}

/** The caller's X-Request-ID when it is a sane token, else a new one; every agent-facing wrapper echoes it. */
export function requestIdOf(req: Request): string {
  const given = req.headers.get("x-request-id")?.trim();
  return given && REQUEST_ID.test(given) ? given : randomUUID();
}

/** 401 problem+json for a refused token, with the RFC 6750 challenge. */
export function bearerErrorResponse(error: BearerError): Response {
  const challenge = error.code === "token_missing" ? bearerChallenge() : bearerChallenge({ code: "invalid_token", description: error.detail });
  return toProblem(error, { "www-authenticate": challenge });
}

function wrongKind(kind: Kind, accept: readonly Kind[]): Response {
  const wanted = (accept as readonly Kind[]).includes("delegation")
    ? "a delegation access token (token exchange with a delegation id)"
    : "an agent token (client_credentials)";
  const detail = `This call takes ${wanted}, not ${kind === "agent" ? "an agent token" : "a delegation token"}.`;
  return problem({
    status: 403,
    code: "wrong_token_kind",
    title: "Wrong kind of token",
    detail,
    headers: { "www-authenticate": bearerChallenge({ code: "insufficient_scope", description: detail }) },
  });
}

function errorResponse(error: unknown, req: Request, requestId: string): Response {
  if (error instanceof BearerError) return bearerErrorResponse(error);
  if (error instanceof VaultError) return toProblem(error);
  const down = unavailableProblem(error, { method: req.method, path: new URL(req.url).pathname });
  if (down) return down;
  // Unknown failures may carry internals; logged (the logger redacts tokens), never sent.
  log.error({ err: error, method: req.method, path: new URL(req.url).pathname, requestId }, "agent API handler failed");
  return problem({
    status: 500,
    code: "internal_error",
    title: "Internal error",
    detail: "Something went wrong on our side: try again, and report the X-Request-ID if it keeps happening.",
  });
}
