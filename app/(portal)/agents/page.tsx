// The agent registry for a tenant's administrators: register agents, set what each may ever do,
// suspend, rotate and delete; and the tenant switch for service accounts. The server loads the same
// DTOs the BFF answers, so React Query takes over from them without a second fetch.
import { AgentsAdmin } from "@/components/agents-admin";
import { TenantServiceAccounts } from "@/components/tenant-service-accounts";
import { listTenantAgents } from "@/lib/agents/agents";
import { requireAdmin } from "@/lib/auth/session";
import { listTenantProviders } from "@/lib/providers/registry";
import { getTenantSettings } from "@/lib/tenancy/settings";

export default async function AgentsPage() {
  const admin = await requireAdmin("/agents");
  const [agents, catalogue, settings] = await Promise.all([listTenantAgents(admin), listTenantProviders(admin.tenantId), getTenantSettings(admin)]);
  const providers = catalogue.map((p) => ({ key: p.definition.key, name: p.definition.name }));
  return (
    <>
      <h1>Agents</h1>
      <p className="lead">
        Agents registered in {admin.tenantId}, and the most each may ever do. People grant an agent access to their own connections, never beyond the ceiling
        you set here.
      </p>
      <AgentsAdmin initial={agents} providers={providers} />
      <TenantServiceAccounts initial={settings} />
    </>
  );
}
