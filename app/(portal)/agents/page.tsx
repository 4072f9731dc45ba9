import { listTenantAgents } from "@/lib/agents/agents";
import { requireAdmin } from "@/lib/auth/session";

export default async function AgentsPage() {
  const admin = await requireAdmin();
  const agents = await listTenantAgents(admin);
  return (
    <>
      <h1>Agents</h1>
      <p className="lead">Agents registered in {admin.tenantId}, and what each may ever do.</p>
      {agents.length === 0 ? (
        <section className="card empty" aria-label="No agents">
          <h2>No agents registered yet</h2>
          <p>Register an agent to give it a client id. People can then grant it access to their own connections, within the ceiling you set.</p>
        </section>
      ) : (
        <section className="card">
          <ul>
            {agents.map((a) => (
              <li key={a.id}>
                <strong>{a.name}</strong> · <code>{a.clientId}</code> · <span className="badge">{a.status}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
