import "server-only";
// Who is asking, re-checked against the database on every call: data functions use this, never
// only a layout (CONVENTIONS.md, 2).
import { getServerSession } from "next-auth";
import { redirect } from "next/navigation";
import { findPersonByArn, type Person } from "@/lib/tenancy/people";
import { authOptions } from "./options";

export async function currentPerson(): Promise<Person | null> {
  const session = (await getServerSession(authOptions())) as { arn?: string } | null;
  if (!session?.arn) return null;
  return findPersonByArn(session.arn);
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
