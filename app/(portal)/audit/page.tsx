import Link from "next/link";
import { UsageChart } from "@/components/usage-chart";
import { listAuditEvents } from "@/lib/audit/events";
import { auditQuery } from "@/lib/audit/schemas";
import { actionUsage } from "@/lib/audit/usage";
import { requirePerson } from "@/lib/auth/session";
import { describeIssues } from "@/lib/describe-issues";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const FILTERS = ["action", "outcome", "agentId", "actor", "from", "to"] as const;

function firstValues(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (value !== undefined && value !== "" && (FILTERS as readonly string[]).concat("before").includes(k)) out[k] = value;
  }
  return out;
}

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const person = await requirePerson("/audit");
  const raw = firstValues(await searchParams);
  const parsed = auditQuery.safeParse(raw);
  const query = parsed.success ? parsed.data : auditQuery.parse({});
  const [page, usage] = await Promise.all([listAuditEvents(person, query), actionUsage(person)]);
  const filters = new URLSearchParams(Object.entries(raw).filter(([k]) => k !== "before"));
  const exportHref = (format: "csv" | "jsonl") => `/api/v1/audit?${new URLSearchParams([...filters, ["format", format]])}`;
  const filtered = [...filters.keys()].length > 0;

  return (
    <>
      <h1>Audit</h1>
      <p className="lead">
        {person.role === "admin" ? `Everything that happened in ${person.tenantId}.` : "Everything that happened on your behalf."} Each event is chained to the
        one before it by its hash.
      </p>

      <UsageChart usage={usage} />

      <form className="card filters" method="get" aria-label="Filter events">
        <label>
          Action <input name="action" defaultValue={raw.action ?? ""} placeholder="delegation. or pdp.decision" />
        </label>
        <label>
          Outcome
          <select name="outcome" defaultValue={raw.outcome ?? ""}>
            <option value="">any</option>
            <option value="success">success</option>
            <option value="failure">failure</option>
            <option value="allow">allow</option>
            <option value="deny">deny</option>
          </select>
        </label>
        <label>
          Agent id <input name="agentId" defaultValue={raw.agentId ?? ""} />
        </label>
        {person.role === "admin" && (
          <label>
            Person (ARN) <input name="actor" defaultValue={raw.actor ?? ""} />
          </label>
        )}
        <label>
          From <input name="from" type="date" defaultValue={raw.from ?? ""} />
        </label>
        <label>
          Until <input name="to" type="date" defaultValue={raw.to ?? ""} />
        </label>
        <div className="actions">
          <button type="submit">Filter</button>
          {filtered && <Link href="/audit">Clear filters</Link>}
          <a href={exportHref("csv")}>Export CSV</a>
          <a href={exportHref("jsonl")}>Export JSON Lines</a>
        </div>
      </form>

      {!parsed.success && (
        <p className="error" role="alert">
          {describeIssues(parsed.error.issues, "filter")} Showing the newest events instead.
        </p>
      )}

      {page.events.length === 0 ? (
        <section className="card empty" aria-label="No audit events">
          {filtered ? (
            <>
              <h2>No events match these filters</h2>
              <p>Widen the dates or clear the filters.</p>
            </>
          ) : (
            <>
              <h2>Nothing has happened yet</h2>
              <p>Connect an account or grant an agent access: every connection, grant, decision and action will be recorded here.</p>
            </>
          )}
        </section>
      ) : (
        <section className="card" aria-label="Audit events">
          <table className="audit-table">
            <thead>
              <tr>
                <th>#</th>
                <th>When</th>
                <th>Action</th>
                <th>Outcome</th>
                <th>Who</th>
                <th>Agent</th>
                <th>Details</th>
              </tr>
            </thead>
            <tbody>
              {page.events.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>
                    <time dateTime={e.at}>{e.at.replace("T", " ").slice(0, 19)}</time>
                  </td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>
                    <span className={`badge outcome-${e.outcome}`}>{e.outcome}</span>
                  </td>
                  <td>{e.actorArn ?? "—"}</td>
                  <td>{e.agentName ?? e.agentId ?? "—"}</td>
                  <td>
                    <details>
                      <summary>{e.target ? <code>{e.target}</code> : "show"}</summary>
                      <pre className="details-json">{JSON.stringify(e.details, null, 2)}</pre>
                      <p className="note">
                        hash <code>{e.hash.slice(0, 16)}…</code> · previous <code>{e.prevHash.slice(0, 16)}…</code>
                      </p>
                    </details>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions" style={{ marginTop: 12 }}>
            {raw.before && <Link href={`/audit?${filters}`}>Newest</Link>}
            {page.nextBefore !== null && <Link href={`/audit?${new URLSearchParams([...filters, ["before", String(page.nextBefore)]])}`}>Older events</Link>}
          </div>
        </section>
      )}
    </>
  );
}
