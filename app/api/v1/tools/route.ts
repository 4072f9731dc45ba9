// GET /api/v1/tools - the tools this delegation may call: { tools: [{ name, title, description, inputSchema }] }.
import { listToolsFor } from "@/lib/orchestration/tools";
import { withBearer } from "@/lib/http/bearer-route";

export const dynamic = "force-dynamic";

export const GET = withBearer({ accept: ["delegation"] }, async ({ caller }) => ({ tools: await listToolsFor(caller) }));
