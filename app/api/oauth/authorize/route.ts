// GET /api/oauth/authorize - the authorization endpoint for OAuth clients a person connects (MCP
// clients): authorization code with PKCE S256. Sends the browser to the consent page (which signs
// the person in first), back to the client with an error, or shows why it cannot go on.
import { handleAuthorize } from "@/lib/http/authorize-endpoint";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return handleAuthorize(req);
}
