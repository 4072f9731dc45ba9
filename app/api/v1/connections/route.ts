// GET /api/v1/connections - the signed-in person's connections, as DTOs (never a credential).
import { listMyConnections } from "@/lib/connections/connections";
import { withPerson } from "@/lib/http/route";

export const GET = withPerson({}, async ({ person }) => ({ connections: await listMyConnections(person) }));
