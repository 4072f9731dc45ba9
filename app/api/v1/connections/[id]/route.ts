// GET /api/v1/connections/{id} - one of my connections with the delegations on it.
// PATCH /api/v1/connections/{id} - (admins, own connection) mark or unmark it as the tenant's service account for its provider.
// DELETE /api/v1/connections/{id} - disconnect: revoke at the provider, drop the credential, end every delegation.
import { z } from "zod";

import { getMyConnection } from "@/lib/connections/connections";
import { updateConnectionBody } from "@/lib/connections/schemas";
import { NOT_MY_CONNECTION, setServiceAccount } from "@/lib/connections/service-account";
import { NotFoundError } from "@/lib/errors";
import { withPerson } from "@/lib/http/route";
import { disconnectConnection } from "@/lib/vault/connect/disconnect";

const params = z.object({ id: z.string().trim().min(1).max(200) });

export const GET = withPerson({ params }, async ({ person, params }) => {
  const connection = await getMyConnection(person, params.id);
  if (!connection) throw new NotFoundError(NOT_MY_CONNECTION);
  return connection;
});

export const PATCH = withPerson({ admin: true, params, body: updateConnectionBody }, async ({ person, params, body }) =>
  setServiceAccount(person, params.id, body.serviceAccount),
);

export const DELETE = withPerson({ params }, async ({ person, params }) => {
  const { revokedAtProvider, delegationsRevoked } = await disconnectConnection(person, params.id);
  return { disconnected: true, revokedAtProvider, delegationsRevoked };
});
