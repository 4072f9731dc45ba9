// POST /api/v1/connections/api-key/{provider} - connect (or, with `replace`, re-key) an account with a
// credential the person pastes. The answer is the connection as the portal shows it: a fingerprint
// and, where the provider's format allows, the last four characters; never the credential.
import { z } from "zod";

import { getMyConnection } from "@/lib/connections/connections";
import { pasteKeyBody } from "@/lib/connections/schemas";
import { json, withPerson } from "@/lib/http/route";
import { storeApiKey } from "@/lib/vault/connect/api-key";

const params = z.object({ provider: z.string().trim().min(1).max(64) });

export const POST = withPerson({ params, body: pasteKeyBody }, async ({ person, params, body }) => {
  const stored = await storeApiKey({ person, providerKey: params.provider, ...body });
  const connection = await getMyConnection(person, stored.id);
  return json({ connection, verified: stored.verified, reconnected: stored.reconnected }, stored.reconnected ? 200 : 201);
});
