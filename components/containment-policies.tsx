"use client";
// The Alerts page's policies: what the vault does when each detector opens an alert (log, notify,
// rate-limit, require approval, suspend), each in dry run or for real, a form to add one, and each
// detector's setting. Every detector without a policy only logs its alerts.
import { useState } from "react";

import { KIND_WORDS } from "@/components/alerts-admin";
import { DetectorSettings } from "@/components/detector-settings";
import { usePolicies, useCreatePolicy, useUpdatePolicy, type Policies } from "@/lib/containment/queries";
import { DETECTOR_KINDS, ENFORCEMENT_ACTIONS, type DetectorKind, type EnforcementAction } from "@/lib/containment/schemas";

export function ContainmentPolicies({ initial }: { initial: Policies }) {
  const { data = initial, error } = usePolicies(initial);
  const update = useUpdatePolicy();
  return (
    <section aria-labelledby="policies">
      <h2 id="policies">Enforcement policies</h2>
      {(error ?? update.error) && (
        <p className="error" role="alert">
          {(error ?? update.error)!.message}
        </p>
      )}
      {data.policies.length === 0 ? (
        <div className="card empty">
          <h3>No policies yet</h3>
          <p>Alerts are only logged until you add a policy below. Start in dry run to see what a policy would have done.</p>
        </div>
      ) : (
        <table className="facts policies">
          <thead>
            <tr>
              <th scope="col">Detector</th>
              <th scope="col">Severity</th>
              <th scope="col">Action</th>
              <th scope="col">Mode</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {data.policies.map((p) => (
              <tr key={p.id}>
                <td>{KIND_WORDS[p.detector] ?? p.detector}</td>
                <td>{p.severity}</td>
                <td>
                  {p.action.replace("_", " ")}
                  {p.requireAdminApproval && " (after an administrator confirms)"}
                  {p.action === "rate_limit" && ` for ${p.cooldownSeconds} s`}
                </td>
                <td>{!p.enabled ? "off" : p.dryRun ? "dry run" : "live"}</td>
                <td>
                  <button type="button" disabled={update.isPending} onClick={() => update.mutate({ id: p.id, body: { dryRun: !p.dryRun } })}>
                    {p.dryRun ? "Go live" : "Switch to dry run"}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <NewPolicyForm />
      <DetectorSettings detectors={data.detectors} />
    </section>
  );
}

function NewPolicyForm() {
  const create = useCreatePolicy();
  const [detector, setDetector] = useState<DetectorKind>("unauthorized_agent");
  const [action, setAction] = useState<EnforcementAction>("notify");
  const [dryRun, setDryRun] = useState(true);
  const [approval, setApproval] = useState(false);
  return (
    <form
      className="card"
      aria-label="Add a policy"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ detector, action, dryRun, requireAdminApproval: action === "suspend" && approval });
      }}
    >
      <h3>Add a policy</h3>
      <label>
        When{" "}
        <select value={detector} onChange={(e) => setDetector(e.target.value as DetectorKind)}>
          {DETECTOR_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_WORDS[k]}
            </option>
          ))}
        </select>
      </label>{" "}
      <label>
        fires,{" "}
        <select value={action} onChange={(e) => setAction(e.target.value as EnforcementAction)}>
          {ENFORCEMENT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a.replace("_", " ")}
            </option>
          ))}
        </select>
      </label>{" "}
      <label>
        <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> dry run
      </label>{" "}
      {action === "suspend" && (
        <label>
          <input type="checkbox" checked={approval} onChange={(e) => setApproval(e.target.checked)} /> wait for an administrator
        </label>
      )}{" "}
      <button type="submit" disabled={create.isPending}>
        Add policy
      </button>
      {create.error && (
        <p className="error" role="alert">
          {create.error.message}
        </p>
      )}
    </form>
  );
}
