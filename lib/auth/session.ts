import "server-only";
// Who is asking, re-checked against the database on every call: data functions use this, never
// only a layout (CONVENTIONS.md, 2).
import { getServerSession } from "next-auth";
import { getToken } from "next-auth/jwt";
import { redirect } from "next/navigation";
import { NextRequest } from "next/server";
import { env } from "@/lib/env";
import { findPersonByArn, type Person } from "@/lib/tenancy/people";
import { authOptions } from "./options";

/** For server components and pages, which have Next's request scope. */
export async function currentPerson(): Promise<Person | null> {
  const session = (await getServerSession(authOptions())) as { arn?: string } | null;
  if (!session?.arn) return null;
  return findPersonByArn(session.arn);
}

/**
 * For route handlers: the same session read from the request they were handed, so it does not
 * depend on Next's request scope. next-auth decodes its own cookie (secret, expiry, integrity).
 */
export async function personFromRequest(req: Request): Promise<Person | null> {
  const options = authOptions();
  // Only the cookies: getToken would also take `Authorization: Bearer` as a session token, which
  // getServerSession never does, and agents send their vault tokens there.
  const cookiesOnly = new NextRequest(req.url, { headers: { cookie: req.headers.get("cookie") ?? "" } });
  const token = await getToken({
    req: cookiesOnly,
    secret: options.secret,
    // The cookie's name follows the portal's URL (__Secure- on https), as next-auth names it.
    secureCookie: options.useSecureCookies ?? env().nextauthUrl.startsWith("https://"),
  });
  // The jwt callback of options.ts keeps the person's ARN in `sub`, where the session callback reads it.
  const arn = token?.sub;
  if (typeof arn !== "string" || !arn) return null;
  return findPersonByArn(arn);
}

/** For pages: a signed-out visitor goes to the sign-in page. */
export async function requirePerson(returnTo?: string): Promise<Person> {
  const person = await currentPerson();
  if (!person) redirect(returnTo ? `/signin?callbackUrl=${encodeURIComponent(returnTo)}` : "/signin");
  return person;
}

export async function requireAdmin(returnTo?: string): Promise<Person> {
  const person = await requirePerson(returnTo);
  if (person.role !== "admin") redirect("/connections");
  return person;
}
