// POST /api/v1/providers/generic - (admins) add a generic provider: OAuth 2.0 with its client credentials,
// or (`credential: "api_key"`) one whose key each person pastes, with no client to register.
import { ZodError } from "zod";

import { BadRequestError, ConflictError } from "@/lib/errors";
import { describeIssues, json, withPerson } from "@/lib/http/route";
import { genericDefinition, ProviderCatalogueError } from "@/lib/providers/catalogue";
import { genericProviderBody } from "@/lib/providers/client-schemas";
import { addApiKeyProvider } from "@/lib/providers/generic-registration";
import { getTenantProvider } from "@/lib/providers/registry";
import { genericApiKeyDefinition } from "@/lib/providers/schemas";
import { saveProviderClient } from "@/lib/vault/provider-oauth/client-credentials";

export const POST = withPerson({ admin: true, body: genericProviderBody }, async ({ person, body }) => {
  // Taking a built-in's key would replace GitHub (say) with whatever URLs the form holds.
  if (await getTenantProvider(person.tenantId, body.key)) {
    throw new ConflictError(`The key "${body.key}" is already used by a provider in your catalogue: choose another key.`, "provider_exists");
  }
  if (body.credential === "api_key") {
    const converted = genericApiKeyDefinition(body);
    if (!converted.success) throw new BadRequestError(describeIssues(converted.issues));
    return json(await addApiKeyProvider(person, converted.data), 201);
  }
  const { clientId, clientSecret, credential: _oauth2, ...form } = body;
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
