"use client";
// The Alerts page's detector settings: each detector on or off, and its threshold and window for
// this organisation (empty goes back to the default the note names). A change applies to the next
// event this instance sees, and within half a minute on every other instance.
import { useState } from "react";

import { KIND_WORDS } from "@/components/alerts-admin";
import { useUpdateDetector, type DetectorSettingDto } from "@/lib/containment/queries";
import { DETECTORS } from "@/lib/containment/schemas";

const THRESHOLD_WORDS: Record<string, string> = {
  exchange_velocity: "exchanges above",
  denial_storm: "refusals above",
  broad_consent: "scopes above",
  connection_failing: "failures in a row",
};
const WINDOW_WORDS: Record<string, string> = {
  exchange_velocity: "within (seconds)",
  denial_storm: "within (seconds)",
  scope_escalation: "learning period (seconds)",
};

export function DetectorSettings({ detectors }: { detectors: DetectorSettingDto[] }) {
  const update = useUpdateDetector();
  return (
    <section aria-labelledby="detector-settings">
      <h2 id="detector-settings">Detectors</h2>
      {update.error && (
        <p className="error" role="alert">
          {update.error.message}
        </p>
      )}
      <table className="facts detectors">
        <tbody>
          {detectors.map((d) => (
            <DetectorRow key={d.detector} setting={d} onSave={(body) => update.mutate({ kind: d.detector, body })} busy={update.isPending} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

type Body = { enabled?: boolean; threshold?: number | null; windowSeconds?: number | null };

function DetectorRow({ setting, onSave, busy }: { setting: DetectorSettingDto; onSave: (body: Body) => void; busy: boolean }) {
  const defaults = DETECTORS[setting.detector];
  const [threshold, setThreshold] = useState(setting.threshold === null ? "" : String(setting.threshold));
  const [windowSeconds, setWindowSeconds] = useState(setting.windowSeconds === null ? "" : String(setting.windowSeconds));
  const number = (v: string) => (v.trim() === "" ? null : Number(v));
  return (
    <tr aria-label={KIND_WORDS[setting.detector]}>
      <th scope="row">
        {KIND_WORDS[setting.detector]} <span className="note">({setting.severity})</span>
      </th>
      <td>
        <label>
          <input type="checkbox" checked={setting.enabled} disabled={busy} onChange={(e) => onSave({ enabled: e.target.checked })} /> on
        </label>
      </td>
      <td>
        {THRESHOLD_WORDS[setting.detector] && (
          <label>
            {THRESHOLD_WORDS[setting.detector]}{" "}
            <input type="number" min={0} value={threshold} placeholder={String(defaults.threshold ?? "")} onChange={(e) => setThreshold(e.target.value)} />
          </label>
        )}{" "}
        {WINDOW_WORDS[setting.detector] && (
          <label>
            {WINDOW_WORDS[setting.detector]}{" "}
            <input
              type="number"
              min={0}
              value={windowSeconds}
              placeholder={String(defaults.windowSeconds ?? "")}
              onChange={(e) => setWindowSeconds(e.target.value)}
            />
          </label>
        )}
      </td>
      <td>
        {(THRESHOLD_WORDS[setting.detector] || WINDOW_WORDS[setting.detector]) && (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              onSave({
                ...(THRESHOLD_WORDS[setting.detector] ? { threshold: number(threshold) } : {}),
                ...(WINDOW_WORDS[setting.detector] ? { windowSeconds: number(windowSeconds) } : {}),
              })
            }
          >
            Save
          </button>
        )}
      </td>
    </tr>
  );
}
