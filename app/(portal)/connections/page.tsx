import Link from "next/link";

import { ConnectErrorBanner } from "@/components/connect-error-banner";
import { ConnectProviderForm } from "@/components/connect-provider-form";
import { CredentialSummary, credentialOf } from "@/components/credential-summary";
import { PasteKeyForm } from "@/components/paste-key-form";
import { StatusBadge, connectHref, formatWhen } from "@/components/connection-status";
import { ProviderLogo } from "@/components/provider-logo";
import { ReconnectWarning } from "@/components/reconnect-warning";
import { requirePerson } from "@/lib/auth/session";
import { listMyConnections } from "@/lib/connections/connections";
import { describeScopes } from "@/lib/providers/authorize-url";
import { pasteKeyForm } from "@/lib/providers/client-schemas";
import { listTenantProviders, type TenantProvider } from "@/lib/providers/registry";

type Search = Promise<Record<string, string | string[] | undefined>>;

function first(value: string | string[] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return v ? v.slice(0, 64) : null;
}

export default async function ConnectionsPage({ searchParams }: { searchParams: Search }) {
  const person = await requirePerson("/connections");
  const [connections, providers, query] = await Promise.all([listMyConnections(person), listTenantProviders(person.tenantId), searchParams]);
  const byKey = new Map(providers.map((p) => [p.definition.key, p]));
  const errorCode = first(query.connect_error);
  const errorProvider = first(query.provider);

  return (
    <>
      <h1>Connections</h1>
      <p className="lead">Accounts you have connected. Agents you trust act on them through the vault; they receive data, never your tokens.</p>
      {errorCode && (
        <ConnectErrorBanner
          code={errorCode}
          providerKey={errorProvider}
          providerName={errorProvider ? (byKey.get(errorProvider)?.definition.name ?? null) : null}
        />
      )}

      <section aria-labelledby="my-connections">
        <h2 id="my-connections">My connections</h2>
        {connections.length === 0 ? (
          <section className="card empty" aria-label="No connections">
            <h2>No accounts connected yet</h2>
            <p>
              Connect an account (GitHub, Google, Jira, Slack, or the bundled Demo Tasks) to let your agents work with it: pick one below and press Connect, or
              paste an API key for providers that use one (OpenAI, Anthropic, Stripe, SendGrid, Twilio).
            </p>
            <p className="note">Your tokens stay encrypted in the vault; you can disconnect at any time.</p>
          </section>
        ) : (
          <ul className="connection-list">
            {connections.map((c) => {
              const provider = byKey.get(c.provider);
              const name = provider?.definition.name ?? c.provider;
              const scopes = provider ? describeScopes(provider.definition, c.scopes) : c.scopes.map((s) => ({ scope: s, description: s }));
              return (
                <li key={c.id} className="card connection">
                  <div className="row">
                    <Link href={`/connections/${encodeURIComponent(c.id)}`} className="title">
                      {c.label}
                    </Link>
                    <span className="note">
                      <ProviderLogo providerKey={c.provider} />
                      {name}
                    </span>
                    <StatusBadge status={c.status} />
                    {c.serviceAccount && (
                      <span className="badge" title={`The service account for ${name} in your organisation`}>
                        service account
                      </span>
                    )}
                    {c.status === "needs_reconnect" && <a href={connectHref(c.provider, c.scopes)}>Reconnect</a>}
                  </div>
                  <p className="note">{scopes.length > 0 ? `Can: ${scopes.map((s) => s.description).join("; ")}.` : "No permissions granted."}</p>
                  {credentialOf(c.metadata) ? (
                    <CredentialSummary metadata={c.metadata} />
                  ) : (
                    <p className="note">Last refreshed: {formatWhen(c.lastRefreshedAt)}</p>
                  )}
                  <ReconnectWarning connection={c} providerName={name} />
                </li>
              );
            })}
          </ul>
        )}
      </section>

      <section aria-labelledby="catalogue">
        <h2 id="catalogue">Connect an account</h2>
        {providers.length === 0 ? (
          <p className="card empty">No providers are available yet: ask an administrator to add one.</p>
        ) : (
          <div className="catalogue">
            {providers.map((p) => (
              <ProviderCard key={p.definition.key} provider={p} admin={person.role === "admin"} />
            ))}
          </div>
        )}
      </section>
    </>
  );
}

function ProviderCard({ provider, admin }: { provider: TenantProvider; admin: boolean }) {
  const { definition, configured } = provider;
  const headingId = `provider-${definition.key}`;
  const pasted = pasteKeyForm(definition);
  return (
    <section className="card provider" aria-labelledby={headingId} id={`connect-${definition.key}`}>
      <h3 id={headingId}>
        <ProviderLogo providerKey={definition.key} />
        {definition.name}
      </h3>
      <p className="note">{definition.description}</p>
      {pasted ? (
        <PasteKeyForm provider={{ key: definition.key, name: definition.name }} {...pasted} />
      ) : configured ? (
        <ConnectProviderForm provider={{ key: definition.key, name: definition.name, scopes: definition.scopes }} />
      ) : (
        <p className="note">Not set up yet: ask an administrator. {admin && <Link href="/providers">Set up {definition.name}</Link>}</p>
      )}
    </section>
  );
}
