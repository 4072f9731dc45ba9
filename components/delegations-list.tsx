"use client";
// A list of grants (mine, one connection's, or a whole tenant's for administrators): who may act on
// which connection, with what, under which limits, until when, and a "Revoke" that asks first.
// Revoking is immediate at the vault, so the badge switches to "revoked" as soon as the answer comes.
import Link from "next/link";
import { useState, type ReactNode } from "react";

import { formatWhen } from "@/components/connection-status";
import { ConfirmDialog, ConfirmFooter } from "@/components/confirm-dialog";
import type { Constraints } from "@/lib/delegations/constraints";
import { useDelegations, useRevokeDelegation, type DelegationDto, type DelegationListQuery } from "@/lib/delegations/queries";

const DAY_WORDS: Record<string, string> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };
const PER_WORDS: Record<number, string> = { 1: "second", 60: "minute", 3600: "hour", 86_400: "day" };

/** The grant's data-level rules in a few words; null means unreadable (the vault then refuses everything). */
export function summarizeConstraints(c: Constraints | null): string {
  if (!c) return "Its limits cannot be read, so the vault refuses every action on it: revoke it and grant again.";
  const parts: string[] = [];
  if (c.readOnly) parts.push("read-only");
  if (c.approvalForWrites) parts.push("asks before writes");
  if (c.methods) parts.push(`methods ${c.methods.join(", ")}`);
  if (c.pathPatterns) parts.push(`paths ${c.pathPatterns.join(", ")}`);
  if (c.timeWindow) {
    const w = c.timeWindow;
    parts.push(`${w.days.map((d) => DAY_WORDS[d] ?? d).join(", ")} ${w.start}–${w.end} (${w.timeZone})`);
  }
  if (c.rateLimit) {
    const per = PER_WORDS[c.rateLimit.perSeconds] ?? `${c.rateLimit.perSeconds} seconds`;
    parts.push(`at most ${c.rateLimit.max} ${c.rateLimit.max === 1 ? "action" : "actions"} per ${per}`);
  }
  return parts.length ? parts.join("; ") : "no extra limits";
}

function expiryWords(d: DelegationDto): string {
  if (d.status === "revoked") return `Revoked ${formatWhen(d.revokedAt)}`;
  if (d.status === "expired") return `Expired ${formatWhen(d.expiresAt)}`;
  return `Until ${formatWhen(d.expiresAt)}`;
}

type Props = {
  initial: DelegationDto[];
  query: DelegationListQuery;
  /** Show who granted each one (the tenant-wide list). */
  showOwner?: boolean;
  /** The viewer's ARN: their own connections are linked. */
  viewerArn: string;
  empty: ReactNode;
  /** Names the list for assistive technology. */
  label: string;
};

export function DelegationsList({ initial, query, showOwner = false, viewerArn, empty, label }: Props) {
  const { data = initial, error } = useDelegations(query, initial);
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {data.length === 0 ? (
        <div className="card empty">{empty}</div>
      ) : (
        <ul className="delegation-list" aria-label={label}>
          {data.map((d) => (
            <li key={d.id} className="card delegation" aria-label={`${d.agentName} on ${d.connectionLabel}`}>
              <div className="row">
                <strong>{d.agentName}</strong>
                <span className="note">on</span>
                {d.userArn === viewerArn ? (
                  <Link href={`/connections/${encodeURIComponent(d.connectionId)}`}>{d.connectionLabel}</Link>
                ) : (
                  <span>{d.connectionLabel}</span>
                )}
                <span className="note">({d.provider})</span>
                <span className={`badge status-${d.status}`}>{d.status}</span>
              </div>
              <table className="facts compact">
                <tbody>
                  {showOwner && (
                    <tr>
                      <th scope="row">Granted by</th>
                      <td>{d.userName}</td>
                    </tr>
                  )}
                  <tr>
                    <th scope="row">Scopes</th>
                    <td>{d.scopes.map((s) => <code key={s}>{s}</code>).reduce<ReactNode[]>((out, el, i) => (i ? [...out, ", ", el] : [el]), [])}</td>
                  </tr>
                  <tr>
                    <th scope="row">Tools</th>
                    <td>{d.tools.length ? d.tools.join(", ") : "none (direct API calls only, within the agent's limits)"}</td>
                  </tr>
                  <tr>
                    <th scope="row">Limits</th>
                    <td>{summarizeConstraints(d.constraints)}</td>
                  </tr>
                  {d.allowServiceAccount && (
                    <tr>
                      <th scope="row">Service account</th>
                      <td>allowed if {d.userArn === viewerArn ? "your" : "the"} connection stops working (when the organisation allows service accounts)</td>
                    </tr>
                  )}
                  <tr>
                    <th scope="row">Expiry</th>
                    <td>{expiryWords(d)}</td>
                  </tr>
                </tbody>
              </table>
              {d.status !== "revoked" && <RevokeDelegation delegation={d} />}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function RevokeDelegation({ delegation }: { delegation: DelegationDto }) {
  const [open, setOpen] = useState(false);
  const mutation = useRevokeDelegation();

  return (
    <div className="revoke">
      <button
        type="button"
        className="danger"
        onClick={() => {
          mutation.reset();
          setOpen(true);
        }}
      >
        Revoke
      </button>
      <ConfirmDialog open={open} onClose={() => setOpen(false)} title={`Revoke ${delegation.agentName}'s access to ${delegation.connectionLabel}?`}>
        <p>The agent loses access at once: its tokens for this grant stop working on their next call. To let it back in, grant access again.</p>
        <ConfirmFooter
          error={mutation.error}
          pending={mutation.isPending}
          confirmLabel="Revoke access"
          pendingLabel="Revoking…"
          onConfirm={() => mutation.mutate(delegation.id, { onSuccess: () => setOpen(false) })}
          onCancel={() => setOpen(false)}
        />
      </ConfirmDialog>
    </div>
  );
}
