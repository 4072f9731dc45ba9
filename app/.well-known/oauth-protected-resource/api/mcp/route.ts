// GET /.well-known/oauth-protected-resource/api/mcp - RFC 9728's path-aware address of the same
// metadata, for the resource /api/mcp.
import { GET as metadata, OPTIONS as preflight } from "../../route";

export const dynamic = "force-dynamic";

export const GET = metadata;
export const OPTIONS = preflight;
