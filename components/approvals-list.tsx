"use client";
// My approvals: each request an agent made on one of my delegations that waits for (or got) my
// decision, showing exactly what would be sent (the tool and its input, or the method, path, query
// and body) and why it was held, with Approve and Deny while it is pending. Decisions are final; an
// approved request passes once, when the agent sends it again before it expires.
import Link from "next/link";

import { formatWhen } from "@/components/connection-status";
import { useApprovals, useDecideApproval, type ApprovalDto, type ApprovalList } from "@/lib/approvals/queries";

const STATUS_WORDS: Record<ApprovalDto["status"], string> = {
  pending: "waiting for you",
  approved: "approved, not used yet",
  denied: "denied",
  expired: "expired",
  used: "approved and done",
};

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function WhatWouldBeSent({ a }: { a: ApprovalDto }) {
  return (
    <table className="facts compact">
      <tbody>
        {a.kind === "tool" ? (
          <>
            <tr>
              <th scope="row">Tool</th>
              <td>
                <code>{a.tool}</code>{" "}
                <span className="note">
                  ({a.method} {a.path})
                </span>
              </td>
            </tr>
            <tr>
              <th scope="row">Input</th>
              <td>
                <pre className="approval-data">{json(a.input ?? {})}</pre>
              </td>
            </tr>
          </>
        ) : (
          <>
            <tr>
              <th scope="row">Request</th>
              <td>
                <code>
                  {a.method} {a.path}
                </code>
              </td>
            </tr>
            {a.query && (
              <tr>
                <th scope="row">Query</th>
                <td>
                  <pre className="approval-data">{json(a.query)}</pre>
                </td>
              </tr>
            )}
            <tr>
              <th scope="row">Body</th>
              <td>{a.bodySummary ? <pre className="approval-data">{a.bodySummary}</pre> : "none"}</td>
            </tr>
          </>
        )}
        <tr>
          <th scope="row">Why</th>
          <td>{a.reason}</td>
        </tr>
        <tr>
          <th scope="row">{a.status === "pending" || a.status === "approved" ? "Expires" : "Asked"}</th>
          <td>{formatWhen(a.status === "pending" || a.status === "approved" ? a.expiresAt : a.createdAt)}</td>
        </tr>
      </tbody>
    </table>
  );
}

function Decide({ a }: { a: ApprovalDto }) {
  const mutation = useDecideApproval();
  const busy = mutation.isPending;
  return (
    <div className="actions">
      <button type="button" className="primary" disabled={busy} onClick={() => mutation.mutate({ id: a.id, verdict: "approve" })}>
        Approve
      </button>
      <button type="button" className="danger" disabled={busy} onClick={() => mutation.mutate({ id: a.id, verdict: "deny" })}>
        Deny
      </button>
      {mutation.error && (
        <p className="error" role="alert">
          {mutation.error.message}
        </p>
      )}
    </div>
  );
}

export function ApprovalsList({ initial }: { initial: ApprovalList }) {
  const { data = initial, error } = useApprovals(initial);
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {data.approvals.length === 0 ? (
        <div className="card empty">
          <h2>No agent has asked for your approval</h2>
          <p>
            When a grant says &quot;ask me before writes&quot;, or an administrator wants approval for an agent&apos;s action, the request waits here until you
            approve or deny it. Set this when you grant an agent access on one of your <Link href="/connections">connections</Link>.
          </p>
        </div>
      ) : (
        <ul className="delegation-list" aria-label="Approvals">
          {data.approvals.map((a) => (
            <li key={a.id} className="card delegation" aria-label={`${a.agentName}: ${a.tool ?? `${a.method} ${a.path}`}`}>
              <div className="row">
                <strong>{a.agentName}</strong>
                <span className="note">on</span>
                <span>{a.connectionLabel}</span>
                <span className="note">({a.provider})</span>
                <span className={`badge status-${a.status}`}>{STATUS_WORDS[a.status]}</span>
              </div>
              <WhatWouldBeSent a={a} />
              {a.status === "pending" && <Decide a={a} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
