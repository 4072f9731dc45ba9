// The demo people of CONTRACT.md ("Demo mode"). Shared by the sign-in page (names only) and the
// demo credentials provider; they exist only in demo mode.
export type DemoPerson = { id: string; email: string; name: string; role: "user" | "admin"; tenantId: string; tenantName: string };

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { id: "alice", email: "alice@acme.test", name: "Alice Archer", role: "user", tenantId: "acme", tenantName: "Acme Corp" },
  { id: "bob", email: "bob@acme.test", name: "Bob Baker", role: "admin", tenantId: "acme", tenantName: "Acme Corp" },
  { id: "carol", email: "carol@globex.test", name: "Carol Chen", role: "user", tenantId: "globex", tenantName: "Globex" },
];

export function findDemoPerson(email: unknown): DemoPerson | undefined {
  if (typeof email !== "string") return undefined;
  const wanted = email.trim().toLowerCase();
  return DEMO_PEOPLE.find((p) => p.email === wanted);
}
