"use client";
// The administrator's Alerts page below its heading: the stored containment alerts, filtered by
// severity, kind and status (React Query keeps them fresh after every change), each with what its
// enforcement policies did, the lifecycle buttons (acknowledge, resolve) and, for a suspension that
// waits for an administrator, confirm or reject.
import { useState } from "react";

import { useAlerts, useDecideEnforcement, useUpdateAlert, type AlertDto } from "@/lib/containment/queries";
import { ALERT_SEVERITY, ALERT_STATUS, DETECTOR_KINDS, type AlertQuery } from "@/lib/containment/schemas";

export const KIND_WORDS: Record<string, string> = {
  scope_escalation: "Scope escalation",
  exchange_velocity: "Exchange velocity",
  unauthorized_agent: "Unauthorized agent access",
  broad_consent: "Broad consent",
  denial_storm: "Repeated denials",
  connection_failing: "Failing connection",
};
const ACTION_WORDS: Record<string, string> = {
  log: "Logged",
  notify: "Notification recorded",
  rate_limit: "Agent rate-limited",
  require_approval: "Agent's writes need approval",
  suspend: "Agent suspended",
};

function Select({ label, value, options, onChange }: { label: string; value: string; options: readonly string[]; onChange: (v: string) => void }) {
  return (
    <label>
      {label}{" "}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {KIND_WORDS[o] ?? o}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AlertsAdmin({ initial }: { initial: AlertDto[] }) {
  const [filter, setFilter] = useState<AlertQuery>({});
  const unfiltered = !filter.severity && !filter.kind && !filter.status;
  const { data: alerts = [], error, isFetching } = useAlerts(filter, unfiltered ? initial : undefined);
  const set = (key: keyof AlertQuery) => (v: string) => setFilter((f) => ({ ...f, [key]: v || undefined }));

  return (
    <section aria-labelledby="alert-list">
      <h2 id="alert-list">Alerts</h2>
      <form className="filters" aria-label="Filter alerts" onSubmit={(e) => e.preventDefault()}>
        <Select label="Severity" value={filter.severity ?? ""} options={ALERT_SEVERITY} onChange={set("severity")} />
        <Select label="Kind" value={filter.kind ?? ""} options={DETECTOR_KINDS} onChange={set("kind")} />
        <Select label="Status" value={filter.status ?? ""} options={ALERT_STATUS} onChange={set("status")} />
        {isFetching && <span className="note"> Loading…</span>}
      </form>
      {error && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      {alerts.length === 0 ? (
        <div className="card empty">
          <h3>{unfiltered ? "No alerts yet" : "No alerts match these filters"}</h3>
          <p>
            {unfiltered
              ? "The detectors watch every token exchange, decision and call as it happens, and alerts appear here when one fires. Set below what the vault should do when they do."
              : "Clear a filter to see more alerts."}
          </p>
        </div>
      ) : (
        <ul className="alert-list">
          {alerts.map((a) => (
            <AlertCard key={a.id} alert={a} />
          ))}
        </ul>
      )}
    </section>
  );
}

function AlertCard({ alert }: { alert: AlertDto }) {
  const update = useUpdateAlert();
  const decide = useDecideEnforcement();
  const error = update.error?.message ?? decide.error?.message ?? null;
  return (
    <li>
      <article className="card alert" aria-label={`${KIND_WORDS[alert.kind]} alert`}>
        <div className="row">
          <h3>{KIND_WORDS[alert.kind] ?? alert.kind}</h3>
          <span className={`badge severity-${alert.severity}`}>{alert.severity}</span>
          <span className={`badge status-${alert.status}`}>{alert.status}</span>
        </div>
        <p>{alert.message}</p>
        <p className="note">
          {alert.agentName ? `Agent ${alert.agentName} · ` : ""}
          {alert.count === 1 ? "fired once" : `fired ${alert.count} times`} · first {new Date(alert.firstSeenAt).toLocaleString()} · last{" "}
          {new Date(alert.lastSeenAt).toLocaleString()}
          {alert.acknowledgedAt && ` · acknowledged ${new Date(alert.acknowledgedAt).toLocaleString()} by ${alert.acknowledgedBy}`}
          {alert.resolvedAt && ` · resolved ${new Date(alert.resolvedAt).toLocaleString()} by ${alert.resolvedBy}`}
        </p>
        {alert.enforcements.length > 0 && (
          <ul className="enforcements" aria-label="Enforcements">
            {alert.enforcements.map((e) => (
              <li key={e.id}>
                {e.dryRun ? `Dry run: would have been "${ACTION_WORDS[e.action]?.toLowerCase()}"` : (ACTION_WORDS[e.action] ?? e.action)}
                {e.status === "pending" ? (
                  <>
                    {" "}
                    — waiting for an administrator.{" "}
                    <button type="button" className="danger" disabled={decide.isPending} onClick={() => decide.mutate({ id: e.id, decision: "confirm" })}>
                      Confirm suspension
                    </button>{" "}
                    <button type="button" disabled={decide.isPending} onClick={() => decide.mutate({ id: e.id, decision: "reject" })}>
                      Reject
                    </button>
                  </>
                ) : (
                  <span className="note"> ({e.status.replace("_", " ")})</span>
                )}
              </li>
            ))}
          </ul>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {alert.status !== "resolved" && (
          <div className="actions">
            {alert.status === "open" && (
              <button type="button" disabled={update.isPending} onClick={() => update.mutate({ id: alert.id, status: "acknowledged" })}>
                Acknowledge
              </button>
            )}
            <button type="button" disabled={update.isPending} onClick={() => update.mutate({ id: alert.id, status: "resolved" })}>
              Resolve
            </button>
          </div>
        )}
      </article>
    </li>
  );
}
