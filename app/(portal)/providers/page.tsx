import { GenericProviderForm } from "@/components/generic-provider-form";
import { ProvidersAdmin } from "@/components/providers-admin";
import { RefreshOverviewCard } from "@/components/refresh-overview";
import { requireAdmin } from "@/lib/auth/session";
import { toProviderSummary } from "@/lib/providers/client-schemas";
import { refreshOverview } from "@/lib/monitor/refresh-overview";
import { listTenantProviders } from "@/lib/providers/registry";
import { callbackUrl } from "@/lib/vault/connect/flow";

export default async function ProvidersPage() {
  const admin = await requireAdmin("/providers");
  const providers = await listTenantProviders(admin.tenantId);
  // The same summary GET /api/v1/providers answers, so React Query can take over from it.
  const initial = providers.map(toProviderSummary);
  const redirectUri = callbackUrl();
  const overview = await refreshOverview(admin.tenantId);
  return (
    <>
      <h1>Providers</h1>
      <p className="lead">
        The services people in {admin.tenantId} can connect. A provider needs the client ID and secret you registered with it before anyone can press Connect.
        Register each one with the redirect URI <code>{redirectUri}</code>.
      </p>
      <section aria-labelledby="catalogue">
        <h2 id="catalogue">Catalogue</h2>
        <ProvidersAdmin initial={initial} />
      </section>
      <RefreshOverviewCard overview={overview} />
      <section className="card" aria-labelledby="add-generic">
        <h2 id="add-generic">Add a generic provider</h2>
        <p className="note">
          For a service that is not in the catalogue. For OAuth 2.0, register the vault at the provider first, with the redirect URI <code>{redirectUri}</code>,
          then fill in what the provider gave you. For an API key, say where the key goes on each call: each person pastes their own.
        </p>
        <GenericProviderForm />
      </section>
    </>
  );
}
