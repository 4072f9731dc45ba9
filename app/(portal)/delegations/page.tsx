// Delegations: the grants I gave agents on my connections, and for administrators every grant in
// the organisation, each revocable here. Granting happens on a connection's page, where the form
// knows which scopes that connection holds.
import Link from "next/link";

import { DelegationsList } from "@/components/delegations-list";
import { requirePerson } from "@/lib/auth/session";
import { listMyDelegations, listTenantDelegations } from "@/lib/delegations/delegations";

export default async function DelegationsPage() {
  const person = await requirePerson("/delegations");
  const admin = person.role === "admin";
  const [mine, tenant] = await Promise.all([listMyDelegations(person), admin ? listTenantDelegations(person) : Promise.resolve(null)]);

  return (
    <>
      <h1>Delegations</h1>
      <p className="lead">What you let agents do with your connections, and until when. Revoking takes effect at once.</p>

      <section aria-labelledby="my-grants">
        <h2 id="my-grants">My grants</h2>
        <DelegationsList
          initial={mine}
          query={{ scope: "mine" }}
          viewerArn={person.arn}
          label="My grants"
          empty={
            <>
              <h2>No agent has access to your connections</h2>
              <p>
                To grant one, open one of your <Link href="/connections">connections</Link> and use &quot;Grant an agent&quot;: choose the agent, what it may
                do, and for how long.
              </p>
            </>
          }
        />
      </section>

      {tenant && (
        <section aria-labelledby="tenant-grants">
          <h2 id="tenant-grants">All grants in {person.tenantId}</h2>
          <p className="note">As an administrator you can revoke any of them; the person who granted it sees that it was revoked.</p>
          <DelegationsList
            initial={tenant}
            query={{ scope: "tenant" }}
            viewerArn={person.arn}
            showOwner
            label={`All grants in ${person.tenantId}`}
            empty={
              <>
                <h2>Nobody in {person.tenantId} has granted an agent access yet</h2>
                <p>
                  People grant access from their connections&apos; pages, once an agent is registered on the <Link href="/agents">Agents</Link> page.
                </p>
              </>
            }
          />
        </section>
      )}
    </>
  );
}
