import type { ReactNode } from "react";
import { ApprovalsNavLink } from "@/components/approvals-nav-link";
import { NavLink } from "@/components/nav-link";
import { listApprovals } from "@/lib/approvals/approvals";
import { SignOutButton } from "@/components/sign-out-button";
import { currentPerson } from "@/lib/auth/session";

// Signed out, the layout shows nothing of its own: every page checks the session itself and sends
// the visitor to the sign-in page with the way back (no middleware, so API routes pay nothing for it).
export default async function PortalLayout({ children }: { children: ReactNode }) {
  const person = await currentPerson();
  if (!person) return <main>{children}</main>;
  // The same list the Approvals page shows (one query cache), so the count and the page agree.
  const approvals = await listApprovals(person);
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Portal">
        <div className="brand">Token Vault</div>
        <NavLink href="/connections">Connections</NavLink>
        <NavLink href="/delegations">Delegations</NavLink>
        <ApprovalsNavLink initial={{ approvals, pending: approvals.filter((a) => a.status === "pending").length }} />
        {person.role === "admin" && <NavLink href="/agents">Agents</NavLink>}
        {person.role === "admin" && <NavLink href="/alerts">Alerts</NavLink>}
        {person.role === "admin" && <NavLink href="/mcp-clients">MCP clients</NavLink>}
        {person.role === "admin" && <NavLink href="/providers">Providers</NavLink>}
        {person.role === "admin" && <NavLink href="/webhooks">Webhooks</NavLink>}
        <NavLink href="/audit">Audit</NavLink>
        <div className="who">
          <strong>{person.name}</strong>
          {person.email} · {person.tenantId}
          {person.role === "admin" && (
            <span className="badge admin" style={{ marginLeft: 6 }}>
              admin
            </span>
          )}
          <SignOutButton />
        </div>
      </nav>
      <main>{children}</main>
    </div>
  );
}
