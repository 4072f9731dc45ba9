// GET /api/v1/delegation - the delegation behind a delegation access token: user, connection,
// delegated scopes and tools, constraints, expiry. Never a credential.
import { withBearer } from "@/lib/http/bearer-route";
import { describeDelegation } from "@/lib/oauth-server/delegation-view";

export const dynamic = "force-dynamic";

export const GET = withBearer({ accept: ["delegation"] }, async ({ caller }) => describeDelegation(caller));
