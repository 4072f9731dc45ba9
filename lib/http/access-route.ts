import "server-only";
// The wrapper of the AuthZEN routes (/access/v1/*), which, unlike other routes, take either kind of
// caller: an agent with its vault access token, or a tenant administrator with a portal session
// (then the request must come from the portal itself, as withPerson requires). Body parsed with zod,
// errors as problem+json, and X-Request-ID echoed on every answer, as AuthZEN asks.
import { NextResponse } from "next/server";
import type { z } from "zod";

import { personFromRequest } from "@/lib/auth/session";
import { bearerChallenge, bearerErrorResponse, requestIdOf } from "@/lib/http/bearer-route";
import { BadRequestError, VaultError } from "@/lib/errors";
import { describeIssues } from "@/lib/describe-issues";
import { problem, toProblem, unavailableProblem } from "@/lib/http/problem";
import { sameOrigin } from "@/lib/http/route";
import { log } from "@/lib/log";
import { authenticateBearer, BearerError } from "@/lib/oauth-server/bearer";
import type { AccessCaller } from "@/lib/pdp/access";

type Handler<S extends z.ZodType> = (ctx: { caller: AccessCaller; body: z.output<S>; requestId: string }) => Promise<object>;

export function withAccessCaller<S extends z.ZodType>(schema: S, handler: Handler<S>): (req: Request) => Promise<Response> {
  return async (req) => {
    const requestId = requestIdOf(req);
    let response: Response;
    try {
      const caller = await accessCaller(req);
      response =
        caller instanceof Response
          ? caller
          : NextResponse.json(await handler({ caller, body: await parseBody(req, schema), requestId }), { headers: { "cache-control": "no-store" } });
    } catch (error) {
      response = errorResponse(error, req, requestId);
    }
    response.headers.set("x-request-id", requestId);
    return response;
  };
}

/** A bearer token when one is sent (a session cookie is then ignored), else an administrator's session. */
async function accessCaller(req: Request): Promise<AccessCaller | Response> {
  if (req.headers.has("authorization")) {
    const caller = await authenticateBearer(req);
    return { kind: "agent", tenantId: caller.tenantId, agent: { id: caller.agent.id, clientId: caller.agent.clientId } };
  }
  const person = await personFromRequest(req);
  if (!person) {
    return problem({
      status: 401,
      code: "unauthenticated",
      title: "Credentials required",
      detail: "Send an agent access token (`Authorization: Bearer <token>`), or sign in to the portal as an administrator.",
      headers: { "www-authenticate": bearerChallenge() },
    });
  }
  if (person.role !== "admin") {
    return problem({
      status: 403,
      code: "forbidden",
      title: "Administrators only",
      detail: "Only an administrator of your organisation can ask the policy decision point from the portal.",
    });
  }
  // Cookies ride along on cross-site requests; the Origin header is what a forged form cannot fake.
  if (!sameOrigin(req)) {
    return problem({
      status: 403,
      code: "origin_mismatch",
      title: "Request from another site",
      detail: "This request did not come from the portal: open the portal and try again there.",
    });
  }
  return { kind: "admin", tenantId: person.tenantId, person };
}

async function parseBody<S extends z.ZodType>(req: Request, schema: S): Promise<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(await req.text());
  } catch {
    throw new BadRequestError("The request body is not valid JSON: send a JSON object with subject, action and resource.");
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new BadRequestError(describeIssues(parsed.error.issues));
  return parsed.data;
}

function errorResponse(error: unknown, req: Request, requestId: string): Response {
  if (error instanceof BearerError) return bearerErrorResponse(error);
  if (error instanceof VaultError) return toProblem(error);
  const down = unavailableProblem(error, { method: req.method, path: new URL(req.url).pathname });
  if (down) return down;
  // Includes a decision whose audit event could not be written: no answer rather than an unrecorded one.
  log.error({ err: error, method: req.method, path: new URL(req.url).pathname, requestId }, "access evaluation failed");
  return problem({
    status: 500,
    code: "internal_error",
    title: "Internal error",
    detail: "Something went wrong on our side: try again, and report the X-Request-ID if it keeps happening.",
  });
}
