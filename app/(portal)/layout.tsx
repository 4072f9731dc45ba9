import type { ReactNode } from "react";
import { NavLink } from "@/components/nav-link";
import { SignOutButton } from "@/components/sign-out-button";
import { requirePerson } from "@/lib/auth/session";

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const person = await requirePerson();
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Portal">
        <div className="brand">Token Vault</div>
        <NavLink href="/connections">Connections</NavLink>
        <NavLink href="/delegations">Delegations</NavLink>
        {person.role === "admin" && <NavLink href="/agents">Agents</NavLink>}
        {person.role === "admin" && <NavLink href="/providers">Providers</NavLink>}
        <NavLink href="/audit">Audit</NavLink>
        <div className="who">
          <strong>{person.name}</strong>
          {person.email} · {person.tenantId}
          {person.role === "admin" && <span className="badge admin" style={{ marginLeft: 6 }}>admin</span>}
          <SignOutButton />
        </div>
      </nav>
      <main>{children}</main>
    </div>
  );
}
