// GET /api/v1/tools - the tools this delegation may call: { tools: [{ name, mcpName, title, description, inputSchema }] }.
// `name` is the catalogue's dotted name, `mcpName` the same tool on /api/mcp; POST /api/v1/tools/{name} takes either.
import { listToolsFor } from "@/lib/orchestration/tools";
import { withBearer } from "@/lib/http/bearer-route";

export const dynamic = "force-dynamic";

export const GET = withBearer({ accept: ["delegation"] }, async ({ caller }) => ({ tools: await listToolsFor(caller) }));
