// POST /api/v1/providers/generic - (admins) add a generic OAuth 2.0 provider with its client credentials.
import { ZodError } from "zod";

import { BadRequestError, ConflictError } from "@/lib/errors";
import { describeIssues, json, withPerson } from "@/lib/http/route";
import { genericDefinition, ProviderCatalogueError } from "@/lib/providers/catalogue";
import { genericProviderBody } from "@/lib/providers/client-schemas";
import { getTenantProvider } from "@/lib/providers/registry";
import { saveProviderClient } from "@/lib/vault/provider-oauth/client-credentials";

export const POST = withPerson({ admin: true, body: genericProviderBody }, async ({ person, body }) => {
  const { clientId, clientSecret, ...form } = body;
  // Taking a built-in's key would replace GitHub (say) with whatever URLs the form holds.
  if (await getTenantProvider(person.tenantId, form.key)) {
    throw new ConflictError(`The key "${form.key}" is already used by a provider in your catalogue: choose another key.`, "provider_exists");
  }
  const definition = toDefinition(form);
  await saveProviderClient({ tenantId: person.tenantId, key: definition.key, clientId, clientSecret, definition });
  return json({ key: definition.key }, 201);
});

function toDefinition(form: unknown) {
  try {
    return genericDefinition(form);
  } catch (error) {
    if (error instanceof ProviderCatalogueError) throw new BadRequestError(error.message);
    if (error instanceof ZodError) throw new BadRequestError(describeIssues(error.issues));
    throw error;
  }
}
