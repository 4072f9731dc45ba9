import { listMyConnections } from "@/lib/connections/connections";
import { requirePerson } from "@/lib/auth/session";

export default async function ConnectionsPage() {
  const person = await requirePerson();
  const connections = await listMyConnections(person);
  return (
    <>
      <h1>Connections</h1>
      <p className="lead">Accounts you have connected. Agents you trust act on them through the vault; they receive data, never your tokens.</p>
      {connections.length === 0 ? (
        <section className="card empty" aria-label="No connections">
          <h2>No accounts connected yet</h2>
          <p>Connect an account (GitHub, Google, Jira, Slack, or the bundled Demo Tasks) to let your agents work with it.</p>
          <p className="note">Your tokens stay encrypted in the vault; you can disconnect at any time.</p>
        </section>
      ) : (
        <section className="card">
          <ul>
            {connections.map((c) => (
              <li key={c.id}>
                <strong>{c.label}</strong> · {c.provider} · <span className="badge">{c.status}</span>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
