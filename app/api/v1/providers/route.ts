// GET /api/v1/providers - the signed-in person's tenant catalogue, with whether each can be connected.
import { withPerson } from "@/lib/http/route";
import { toProviderSummary } from "@/lib/providers/client-schemas";
import { listTenantProviders } from "@/lib/providers/registry";

export const GET = withPerson({}, async ({ person }) => ({
  providers: (await listTenantProviders(person.tenantId)).map(toProviderSummary),
}));
