import Link from "next/link";
import { notFound } from "next/navigation";

import { CredentialSummary, credentialOf } from "@/components/credential-summary";
import { DelegationsList } from "@/components/delegations-list";
import { PasteKeyForm } from "@/components/paste-key-form";
import { DisconnectConnection } from "@/components/disconnect-connection";
import { GrantDelegationForm } from "@/components/grant-delegation-form";
import { ProviderLogo } from "@/components/provider-logo";
import { ReconnectWarning } from "@/components/reconnect-warning";
import { ServiceAccountToggle } from "@/components/service-account-toggle";
import { STATUS_EXPLAINED, StatusBadge, connectHref, formatWhen } from "@/components/connection-status";
import { requirePerson } from "@/lib/auth/session";
import { getMyConnection } from "@/lib/connections/connections";
import { delegationOptions, listMyDelegations } from "@/lib/delegations/delegations";
import { describeScopes } from "@/lib/providers/authorize-url";
import { pasteKeyForm } from "@/lib/providers/client-schemas";
import { getTenantProvider } from "@/lib/providers/registry";
import { getTenantSettings } from "@/lib/tenancy/settings";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ConnectionPage({ params, searchParams }: Props) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const person = await requirePerson(`/connections/${id}`);
  // Someone else's connection is "not found", exactly like one that never existed.
  const connection = await getMyConnection(person, id);
  if (!connection) notFound();
  const provider = await getTenantProvider(person.tenantId, connection.provider);
  const providerName = provider?.definition.name ?? connection.provider;
  const scopes = provider ? describeScopes(provider.definition, connection.scopes) : connection.scopes.map((s) => ({ scope: s, description: s }));
  // A pasted key's summary has its own row; the rest of the metadata is what the provider told the vault.
  const pasted = credentialOf(connection.metadata);
  const pasteKey = provider ? pasteKeyForm(provider.definition) : null;
  const metadata = Object.entries(connection.metadata).filter(([key]) => !(pasted && key === "credential"));
  const revoked = connection.status === "revoked";
  const isAdmin = person.role === "admin";
  const [grants, options, settings] = await Promise.all([
    listMyDelegations(person, { connectionId: connection.id }),
    revoked ? null : delegationOptions(person, connection.id),
    isAdmin && !revoked ? getTenantSettings(person) : null,
  ]);

  return (
    <>
      <p className="note">
        <Link href="/connections">← Connections</Link>
      </p>
      {query.connected === "1" && !revoked && (
        <div className="banner ok" role="status">
          <p>{providerName} is connected. You can now let your agents use it.</p>
        </div>
      )}
      <h1>{connection.label}</h1>
      <ReconnectWarning connection={connection} providerName={providerName} />
      <p className="lead">
        <ProviderLogo providerKey={connection.provider} />
        {providerName} · <StatusBadge status={connection.status} />{" "}
        {connection.serviceAccount && (
          <>
            <span className="badge" title={`The service account for ${providerName} in your organisation`}>
              service account
            </span>{" "}
          </>
        )}
        {STATUS_EXPLAINED[connection.status]}{" "}
        {connection.status === "needs_reconnect" && <a href={connectHref(connection.provider, connection.scopes)}>Reconnect</a>}
      </p>

      <section className="card" aria-labelledby="granted">
        <h2 id="granted">What the vault may do</h2>
        {scopes.length === 0 ? (
          <p className="note">No permissions were granted.</p>
        ) : (
          <ul>
            {scopes.map((s) => (
              <li key={s.scope}>
                {s.description} <code className="note">{s.scope}</code>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className="card" aria-labelledby="details">
        <h2 id="details">Details</h2>
        <table className="facts">
          <tbody>
            <tr>
              <th scope="row">Provider</th>
              <td>{providerName}</td>
            </tr>
            {pasted ? (
              <tr>
                <th scope="row">Credential</th>
                <td>{revoked ? "none held (removed)" : <CredentialSummary metadata={connection.metadata} />}</td>
              </tr>
            ) : (
              <>
                <tr>
                  <th scope="row">Access token expires</th>
                  <td>{formatWhen(connection.expiresAt, revoked ? "no token held" : "not stated by the provider")}</td>
                </tr>
                <tr>
                  <th scope="row">Last refreshed</th>
                  <td>{formatWhen(connection.lastRefreshedAt)}</td>
                </tr>
                <tr>
                  <th scope="row">Reconnect by</th>
                  <td>{formatWhen(connection.reconnectBy, "no end stated by the provider")}</td>
                </tr>
              </>
            )}
            {metadata.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">{key}</th>
                <td>{typeof value === "string" ? value : JSON.stringify(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="delegations">
        <h2 id="delegations">Agents with access</h2>
        <DelegationsList
          initial={grants}
          query={{ scope: "mine", connectionId: connection.id }}
          viewerArn={person.arn}
          label={`Agents with access to ${connection.label}`}
          empty={
            <p className="empty-line">
              No agent has access to this connection yet.{" "}
              {revoked
                ? "It is disconnected, so none can be given access."
                : options?.agents.length
                  ? "To grant one, choose an agent below, what it may do and for how long, then press Grant access."
                  : "Once an administrator registers an agent, you can grant it access here."}
            </p>
          }
        />
      </section>

      {options && <GrantDelegationForm connectionId={connection.id} initialOptions={options} tenantName={person.tenantId} isAdmin={isAdmin} />}

      {settings && (
        <ServiceAccountToggle
          connection={connection}
          providerName={providerName}
          tenantName={settings.name}
          tenantAllowsServiceAccounts={settings.allowServiceAccounts}
        />
      )}

      {pasteKey && provider && (
        <section className="card" aria-labelledby="replace-key">
          <h2 id="replace-key">{revoked ? "Connect again" : "Replace the key"}</h2>
          <p className="note">
            {revoked
              ? `Paste a ${providerName} key to use this connection again; agents need to be given access again.`
              : `Rotated the key at ${providerName}? Paste the new one: agents with access keep it and use the new key from their next call.`}
          </p>
          <PasteKeyForm provider={{ key: provider.definition.key, name: providerName }} {...pasteKey} replace={connection.id} />
        </section>
      )}

      {revoked ? (
        <p className="note">This connection is disconnected: the vault no longer holds a credential for it.</p>
      ) : (
        <section className="card" aria-labelledby="disconnect">
          <h2 id="disconnect">Disconnect</h2>
          <p className="note">Stop the vault and every agent from using this {providerName} account.</p>
          <DisconnectConnection connection={connection} providerName={providerName} />
        </section>
      )}
    </>
  );
}
