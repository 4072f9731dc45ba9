import { listAuditEvents } from "@/lib/audit/events";
import { requirePerson } from "@/lib/auth/session";

export default async function AuditPage() {
  const person = await requirePerson();
  const events = await listAuditEvents(person);
  return (
    <>
      <h1>Audit</h1>
      <p className="lead">{person.role === "admin" ? `Everything that happened in ${person.tenantId}.` : "Everything that happened on your behalf."}</p>
      {events.length === 0 ? (
        <section className="card empty" aria-label="No audit events">
          <h2>Nothing has happened yet</h2>
          <p>Connect an account or grant an agent access: every connection, grant, decision and action will be recorded here.</p>
        </section>
      ) : (
        <section className="card">
          <table>
            <thead><tr><th>#</th><th>When</th><th>Action</th><th>Outcome</th><th>Who</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq}><td>{e.seq}</td><td>{e.at}</td><td>{e.action}</td><td>{e.outcome}</td><td>{e.actorArn ?? e.agentId}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </>
  );
}
