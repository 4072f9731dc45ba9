"use client";
// The admin's view of the catalogue: configured state (kept fresh by React Query after a save)
// and a client form for each OAuth provider the tenant itself may configure.
import { ProviderClientForm } from "@/components/provider-client-form";
import { ProviderLogo } from "@/components/provider-logo";
import { useProviders, type ProviderSummary } from "@/lib/providers/queries";

const SOURCE_WORDS: Record<ProviderSummary["source"], string> = {
  builtin: "built in",
  demo: "bundled demo",
  file: "from the operator's providers file",
  generic: "added by an administrator",
};

export function ProvidersAdmin({ initial }: { initial: ProviderSummary[] }) {
  const { data = initial, error } = useProviders(initial);
  return (
    <div className="catalogue">
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {data.map((p) => {
        const headingId = `admin-provider-${p.key}`;
        // Demo and file clients come from the operator's configuration, which wins over a saved one.
        const operatorManaged = p.source === "demo" || p.source === "file";
        return (
          <section key={p.key} className="card provider" aria-labelledby={headingId}>
            <h3 id={headingId}>
              <ProviderLogo providerKey={p.key} />
              {p.name}
            </h3>
            <p className="note">
              {p.description} ({SOURCE_WORDS[p.source]})
            </p>
            <p>
              <span className={p.configured ? "badge status-active" : "badge status-degraded"}>{p.configured ? "set up" : "not set up"}</span>
            </p>
            {p.credential === "api_key" ? (
              // No OAuth client exists for it: a client form here would store a secret nothing uses.
              <p className="note">People paste their own API key for it on the Connections page: there is no client to register.</p>
            ) : operatorManaged ? (
              <p className="note">Its client is configured by the operator of this vault and cannot be changed here.</p>
            ) : (
              <ProviderClientForm providerKey={p.key} providerName={p.name} configured={p.configured} />
            )}
          </section>
        );
      })}
    </div>
  );
}
