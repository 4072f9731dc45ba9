// The consent page of an OAuth client (an MCP client) a person is connecting: who is asking (as it
// describes itself, "unverified" unless the organisation verified it), where it will send them back,
// and what it may do: per connection, the scopes, tools and limits its administrator-set ceiling
// allows. Signed out, the person signs in first and comes back here.
import { ConsentForm } from "@/components/consent-form";
import { requirePerson } from "@/lib/auth/session";
import { loadConsent, type ConsentClient } from "@/lib/oauth-server/consent";

export const dynamic = "force-dynamic";

export default async function ConsentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const person = await requirePerson(`/consent/${encodeURIComponent(id)}`);
  const view = await loadConsent(person, id);

  return (
    <main className="signin consent">
      <div className="card">
        {view.kind === "gone" ? (
          <>
            <h1>This request is no longer open</h1>
            <p>{view.detail}</p>
          </>
        ) : (
          <>
            <ClientHeader client={view.client} />
            {view.kind === "pending" && (
              <>
                <p className="banner" role="status">
                  An administrator of your organisation must approve {view.client.name} before anyone can connect it. Your request was recorded: ask your
                  administrator to approve it on the MCP clients page, then connect again.
                </p>
                <a className="button" href={view.cancelUrl}>
                  Back to {view.client.name}
                </a>
              </>
            )}
            {view.kind === "refused" && (
              <>
                <p className="error" role="alert">
                  {view.detail}
                </p>
                <a className="button" href={view.cancelUrl}>
                  Back to {view.client.name}
                </a>
              </>
            )}
            {view.kind === "ask" && (
              <ConsentForm
                requestId={view.requestId}
                clientName={view.client.name}
                connections={view.connections}
                serverTime={view.serverTime}
                person={person.name}
              />
            )}
          </>
        )}
      </div>
    </main>
  );
}

function ClientHeader({ client }: { client: ConsentClient }) {
  return (
    <header className="consent-client">
      {client.logoUri && (
        // The client's own logo, as it describes itself: shown small, never trusted for anything.
        <img src={client.logoUri} alt="" width={40} height={40} referrerPolicy="no-referrer" />
      )}
      <div>
        <h1>{client.name} wants to act for you</h1>
        <p className="note">
          It will send you back to <strong>{client.redirectHost}</strong>.{" "}
          {client.verified ? (
            <span className="badge">verified by your organisation</span>
          ) : (
            <span className="badge warn">unverified: the vault cannot confirm who made this application</span>
          )}
        </p>
        {client.clientUri && <p className="note">About it: {client.clientUri}</p>}
      </div>
    </header>
  );
}
