// GET /api/v1/connections/{id} - one of my connections with the delegations on it.
// DELETE /api/v1/connections/{id} - disconnect: revoke at the provider, drop the credential, end every delegation.
import { z } from "zod";

import { getMyConnection } from "@/lib/connections/connections";
import { NotFoundError } from "@/lib/http/errors";
import { withPerson } from "@/lib/http/route";
import { disconnectConnection } from "@/lib/vault/disconnect";

const params = z.object({ id: z.string().trim().min(1).max(200) });
// Someone else's connection answers exactly like a missing one, so ids cannot be probed.
const NOT_MINE = "No connection with this id belongs to you: it may have been disconnected already.";

export const GET = withPerson({ params }, async ({ person, params }) => {
  const connection = await getMyConnection(person, params.id);
  if (!connection) throw new NotFoundError(NOT_MINE);
  return connection;
});

export const DELETE = withPerson({ params }, async ({ person, params }) => {
  const { revokedAtProvider, delegationsRevoked } = await disconnectConnection(person, params.id);
  return { disconnected: true, revokedAtProvider, delegationsRevoked };
});
