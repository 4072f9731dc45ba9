// PUT /api/v1/providers/{key}/client - (admins) set the tenant's OAuth client for a catalogue provider.
import { BadRequestError, NotFoundError } from "@/lib/errors";
import { withPerson } from "@/lib/http/route";
import { providerClientBody, providerKeyParams } from "@/lib/providers/client-schemas";
import { getTenantProvider } from "@/lib/providers/registry";
import { saveProviderClient } from "@/lib/vault/provider-oauth/client-credentials";

export const PUT = withPerson({ admin: true, params: providerKeyParams, body: providerClientBody }, async ({ person, params, body }) => {
  const provider = await getTenantProvider(person.tenantId, params.key);
  if (!provider) throw new NotFoundError(`There is no provider "${params.key}" in your catalogue.`);
  // The demo client and file entries are read from the operator's configuration first, so a saved
  // client would be silently ignored: refuse rather than pretend.
  if (provider.source === "demo" || provider.source === "file") {
    throw new BadRequestError(
      `${provider.definition.name} is configured by the operator of this vault: ask them to change its client.`,
      "provider_managed_by_operator",
    );
  }
  // A provider whose key each person pastes has no OAuth client: a saved one would be a secret nothing uses.
  if (provider.definition.credential?.type === "api_key") {
    throw new BadRequestError(`${provider.definition.name} takes a key each person pastes: it has no OAuth client to set.`, "not_oauth_provider");
  }
  await saveProviderClient({ tenantId: person.tenantId, key: params.key, clientId: body.clientId, clientSecret: body.clientSecret });
  // The secret is never echoed back, not even to the admin who just typed it.
  return { key: params.key, configured: true };
});
