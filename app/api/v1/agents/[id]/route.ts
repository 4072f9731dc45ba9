// GET /api/v1/agents/{id} - (admins) one agent of the tenant; never its secret.
// PATCH /api/v1/agents/{id} - (admins) rename, set the ceiling, suspend/resume, change keys, rotate the secret (the new one is answered once).
// DELETE /api/v1/agents/{id} - (admins) delete the agent and every delegation to it.
import { deleteAgent, getAgent, updateAgent } from "@/lib/agents/agents";
import { agentIdParams, updateAgentBody, type UpdateAgentAnswer } from "@/lib/agents/schemas";
import { withPerson } from "@/lib/http/route";

export const GET = withPerson({ admin: true, params: agentIdParams }, async ({ person, params }) => getAgent(person, params.id));

export const PATCH = withPerson({ admin: true, params: agentIdParams, body: updateAgentBody }, async ({ person, params, body }) => {
  const { agent, clientSecret } = await updateAgent(person, params.id, body);
  const answer: UpdateAgentAnswer = { agent, client_id: agent.clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
  return answer;
});

export const DELETE = withPerson({ admin: true, params: agentIdParams }, async ({ person, params }) => deleteAgent(person, params.id));
