"use client";
// The grant form's optional "Limits": method and path patterns, a weekly time window in a time zone,
// and a rate limit (ARCHITECTURE.md, layer 4). They only ever narrow what the agent's administrator
// allowed; the PDP intersects both at every call, so a pattern here cannot widen the ceiling.
import { useEffect, useId, useState } from "react";

import { WEEKDAYS, type Weekday } from "@/lib/delegations/constraints";
import type { AgentOptions } from "@/lib/delegations/queries";

export type LimitsState = { methods: string; paths: string; days: Weekday[]; from: string; until: string; timeZone: string; rateMax: string; ratePer: number };

export const emptyLimits: LimitsState = { methods: "", paths: "", days: [], from: "", until: "", timeZone: "", rateMax: "", ratePer: 60 };

const DAY_LABELS: Record<Weekday, string> = { mon: "Mon", tue: "Tue", wed: "Wed", thu: "Thu", fri: "Fri", sat: "Sat", sun: "Sun" };
const PER_CHOICES: Array<[number, string]> = [
  [1, "second"],
  [60, "minute"],
  [3600, "hour"],
  [86_400, "day"],
];

const lines = (text: string) =>
  text
    .split(/[\r\n]+/)
    .map((l) => l.trim())
    .filter(Boolean);

/** The constraints these limits stand for (before the schema checks them), or a sentence saying what is incomplete. */
export function limitsToConstraints(l: LimitsState): Record<string, unknown> | string {
  const out: Record<string, unknown> = {};
  const methods = lines(l.methods)
    .flatMap((m) => m.split(/[\s,]+/))
    .filter(Boolean)
    .map((m) => m.toUpperCase());
  if (methods.length) out.methods = [...new Set(methods)];
  const paths = lines(l.paths);
  if (paths.length) out.pathPatterns = [...new Set(paths)];
  if (l.days.length || l.from || l.until) {
    if (!l.days.length || !l.from || !l.until) return "To limit the time of day, choose the days and both From and Until (or clear all three).";
    out.timeWindow = { days: WEEKDAYS.filter((d) => l.days.includes(d)), start: l.from, end: l.until, timeZone: l.timeZone };
  }
  if (l.rateMax.trim()) out.rateLimit = { max: Number(l.rateMax), perSeconds: l.ratePer };
  return out;
}

export function GrantLimits({ agent, value, onChange }: { agent: AgentOptions; value: LimitsState; onChange: (next: LimitsState) => void }) {
  const id = { methods: useId(), paths: useId(), from: useId(), until: useId(), zone: useId(), zones: useId(), max: useId(), per: useId() };
  const set = <K extends keyof LimitsState>(key: K, v: LimitsState[K]) => onChange({ ...value, [key]: v });
  // The browser's own list, known only once running there (the server's may differ and break hydration).
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => setZones(typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : []), []);

  return (
    <fieldset className="limits">
      <legend>Limits</legend>
      <p className="note">Optional. These narrow what an administrator allowed {agent.agentName}; they never widen it.</p>

      <div className="field">
        <label htmlFor={id.methods}>Methods</label>
        <textarea id={id.methods} rows={2} value={value.methods} placeholder={agent.methods.join("\n")} onChange={(e) => set("methods", e.target.value)} />
        <span className="note">
          One per line, for direct API calls.{" "}
          {agent.methods.length
            ? `${agent.agentName} may use ${agent.methods.join(", ")}; leave empty for all of them.`
            : `${agent.agentName} may make no direct API calls.`}
        </span>
      </div>

      <div className="field">
        <label htmlFor={id.paths}>Path patterns</label>
        <textarea
          id={id.paths}
          rows={2}
          value={value.paths}
          placeholder={agent.pathPatterns.join("\n") || "/tasks/**"}
          onChange={(e) => set("paths", e.target.value)}
        />
        <span className="note">One per line, like /tasks or /tasks/** (* is one path segment, ** the rest). Leave empty for the agent&apos;s own limits.</span>
      </div>

      <fieldset className="days">
        <legend>Days</legend>
        {WEEKDAYS.map((d) => (
          <label key={d} className="check">
            <input
              type="checkbox"
              checked={value.days.includes(d)}
              onChange={(e) => set("days", e.target.checked ? [...value.days, d] : value.days.filter((x) => x !== d))}
            />
            {DAY_LABELS[d]}
          </label>
        ))}
      </fieldset>
      <div className="inline-fields">
        <div className="field">
          <label htmlFor={id.from}>From</label>
          <input id={id.from} type="time" value={value.from} onChange={(e) => set("from", e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={id.until}>Until</label>
          <input id={id.until} type="time" value={value.until} onChange={(e) => set("until", e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={id.zone}>Time zone</label>
          <input id={id.zone} type="text" list={id.zones} value={value.timeZone} onChange={(e) => set("timeZone", e.target.value)} autoComplete="off" />
          <datalist id={id.zones}>
            {zones.map((z) => (
              <option key={z} value={z} />
            ))}
          </datalist>
        </div>
      </div>
      <p className="note">Only during these hours, in this time zone. An Until before From runs past midnight (22:00 to 06:00).</p>

      <div className="inline-fields">
        <div className="field">
          <label htmlFor={id.max}>At most</label>
          <input id={id.max} type="number" min={1} step={1} inputMode="numeric" value={value.rateMax} onChange={(e) => set("rateMax", e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={id.per}>actions per</label>
          <select id={id.per} value={value.ratePer} onChange={(e) => set("ratePer", Number(e.target.value))}>
            {PER_CHOICES.map(([seconds, word]) => (
              <option key={seconds} value={seconds}>
                {word}
              </option>
            ))}
          </select>
        </div>
      </div>
    </fieldset>
  );
}
