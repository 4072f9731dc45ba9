// Vault access tokens for tests, from the real token endpoint as an agent gets them: an agent token
// (client_credentials) or a delegation token (RFC 8693 exchange), authenticated with the agent's
// client secret. Route tests send these, so the bearer check they meet is the real one.
import { PORTAL_ORIGIN } from "./connect-harness";
import { exchangeParams, tokenRequest, type TestClient } from "./oauth-clients";

type Credentials = Pick<TestClient, "clientId" | "secret">;

/** The access token the endpoint issues for these parameters; throws with its error when it refuses. */
export async function issueToken(client: Credentials, params: Record<string, string>): Promise<string> {
  // Imported on first use: the route reads the configuration, which the world sets first.
  const { POST } = await import("@/app/api/oauth/token/route");
  const res = await POST(tokenRequest(PORTAL_ORIGIN, { ...params, client_id: client.clientId, client_secret: client.secret }));
  const body = (await res.json()) as { access_token?: string; error?: string; error_description?: string };
  if (!body.access_token) throw new Error(`the token endpoint refused (${res.status}): ${body.error} ${body.error_description}`);
  return body.access_token;
}

/** A delegation token for one of the agent's delegations. */
export const delegationToken = (client: Credentials, delegationId: string) => issueToken(client, exchangeParams(delegationId));

/** An agent token: the agent itself, no delegation. */
export const agentToken = (client: Credentials) => issueToken(client, { grant_type: "client_credentials" });

/** The header an agent sends it in. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
