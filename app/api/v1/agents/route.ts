// GET /api/v1/agents - (admins) the tenant's agents as DTOs.
// POST /api/v1/agents - (admins) register an agent; the answer carries `client_id` and, this once only, `client_secret`.
import { registerAgent, listTenantAgents } from "@/lib/agents/agents";
import { createAgentBody, type RegisterAgentAnswer } from "@/lib/agents/schemas";
import { json, withPerson } from "@/lib/http/route";

export const GET = withPerson({ admin: true }, async ({ person }) => ({ agents: await listTenantAgents(person) }));

export const POST = withPerson({ admin: true, body: createAgentBody }, async ({ person, body }) => {
  const { agent, clientSecret } = await registerAgent(person, body);
  const answer: RegisterAgentAnswer = { agent, client_id: agent.clientId, ...(clientSecret ? { client_secret: clientSecret } : {}) };
  return json(answer, 201);
});
