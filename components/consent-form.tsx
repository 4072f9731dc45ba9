"use client";
// The consent form: per connection of the person's, whether the application gets it and with which
// scopes and tools (only what its ceiling allows is offered, the rest is listed with the reason),
// one expiry, and the same optional limits as the grant form. Approving creates one delegation per
// chosen connection, listed and revocable on the Delegations page; the browser then goes back to
// the application with its code. Denying goes back with access_denied.
import { useId, useState, type FormEvent } from "react";

import { apiFetch } from "@/lib/api-client";
import { consentBody } from "@/lib/delegations/consent-schema";
import { describeDuration } from "@/lib/delegations/grant-rules";
import type { AgentOptions } from "@/lib/delegations/queries";
import { describeIssues } from "@/lib/describe-issues";

import { expiryChoices } from "./grant-delegation-form";
import { GrantLimits, emptyLimits, limitsToConstraints, type LimitsState } from "./grant-limits";

type Connection = { connectionId: string; provider: string; providerName: string; label: string; options: AgentOptions };
type Choice = { on: boolean; scopes: string[]; tools: string[]; readOnly: boolean; limits: LimitsState };

const DAY = 86_400;
const fresh = (): Choice => ({ on: false, scopes: [], tools: [], readOnly: false, limits: emptyLimits });

export function ConsentForm(props: { requestId: string; clientName: string; connections: Connection[]; serverTime: string; person: string }) {
  const { requestId, clientName, connections } = props;
  const expiryId = useId();
  const [choices, setChoices] = useState<Record<string, Choice>>(() => Object.fromEntries(connections.map((c) => [c.connectionId, fresh()])));
  const [expiry, setExpiry] = useState(DAY);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Computed once, when the page was served: the expiry is measured in the server's clock.
  const [skewMs] = useState(() => Date.parse(props.serverTime) - Date.now());

  const offered = connections.filter((c) => !c.options.unavailable);
  const maxSeconds = Math.min(...offered.map((c) => c.options.maxDelegationSeconds), 365 * DAY);
  const choicesOfExpiry = expiryChoices(maxSeconds);
  const seconds = choicesOfExpiry.includes(expiry) ? expiry : (choicesOfExpiry.filter((s) => s <= DAY).at(-1) ?? choicesOfExpiry[0]!);

  const update = (id: string, change: Partial<Choice>) => {
    setProblem(null);
    setChoices((all) => ({ ...all, [id]: { ...all[id]!, ...change } }));
  };

  async function send(body: unknown) {
    setBusy(true);
    try {
      const { location } = await apiFetch<{ location: string }>(`/api/oauth/consent/${encodeURIComponent(requestId)}`, { method: "POST", body });
      window.location.assign(location);
    } catch (e) {
      setProblem((e as Error).message);
      setBusy(false);
    }
  }

  function approve(event: FormEvent) {
    event.preventDefault();
    const grants = [];
    for (const c of offered) {
      const choice = choices[c.connectionId]!;
      if (!choice.on) continue;
      const limits = limitsToConstraints(choice.limits);
      if (typeof limits === "string") return setProblem(`${c.providerName}: ${limits}`);
      grants.push({ connectionId: c.connectionId, scopes: choice.scopes, tools: choice.tools, constraints: { ...limits, readOnly: choice.readOnly } });
    }
    const body = { decision: "approve", grants, expiresAt: new Date(Date.now() + skewMs + seconds * 1000).toISOString() };
    const parsed = consentBody.safeParse(body);
    if (!parsed.success) return setProblem(describeIssues(parsed.error.issues, "choice"));
    void send(body);
  }

  if (offered.length === 0) {
    return (
      <div className="stack">
        <p className="empty-line">
          {connections.length === 0
            ? `You have no connections yet: connect an account on the Connections page first, then connect ${clientName} again.`
            : `None of your connections can be given to ${clientName}: ${connections[0]!.options.unavailable!.reason}`}
        </p>
        <div className="actions">
          <button type="button" onClick={() => void send({ decision: "deny" })} disabled={busy}>
            Back to {clientName}
          </button>
        </div>
      </div>
    );
  }

  return (
    <form className="stack grant-form" onSubmit={approve} noValidate aria-label={`Give ${clientName} access`}>
      <p className="lead">Choose what {clientName} may do for you. It never sees your passwords or tokens, only the results.</p>
      {offered.map((c) => (
        <ConnectionChoice key={c.connectionId} connection={c} choice={choices[c.connectionId]!} onChange={(change) => update(c.connectionId, change)} />
      ))}
      {connections.length > offered.length && (
        <ul className="note refused">
          {connections
            .filter((c) => c.options.unavailable)
            .map((c) => (
              <li key={c.connectionId}>
                <strong>
                  {c.providerName} ({c.label})
                </strong>
                : {c.options.unavailable!.reason}
              </li>
            ))}
        </ul>
      )}
      <div className="field">
        <label htmlFor={expiryId}>Expires in</label>
        <select id={expiryId} value={seconds} onChange={(e) => setExpiry(Number(e.target.value))}>
          {choicesOfExpiry.map((s) => (
            <option key={s} value={s}>
              {describeDuration(s)}
            </option>
          ))}
        </select>
        <span className="note">You can revoke it sooner on the Delegations page.</span>
      </div>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? "Working…" : "Allow"}
        </button>
        <button type="button" onClick={() => void send({ decision: "deny" })} disabled={busy}>
          Deny
        </button>
      </div>
    </form>
  );
}

function ConnectionChoice({ connection, choice, onChange }: { connection: Connection; choice: Choice; onChange: (change: Partial<Choice>) => void }) {
  const { options } = connection;
  const toggleTool = (name: string, on: boolean) => {
    if (!on) return onChange({ tools: choice.tools.filter((t) => t !== name) });
    const tool = options.tools.find((t) => t.name === name);
    const offeredScopes = options.scopes.map((s) => s.scope);
    // Choosing a tool chooses the first scope it needs, unless one is chosen already.
    const needed = tool && !tool.anyOfScopes.some((s) => choice.scopes.includes(s)) ? tool.anyOfScopes.find((s) => offeredScopes.includes(s)) : undefined;
    onChange({ tools: [...choice.tools, name], scopes: needed ? [...choice.scopes, needed] : choice.scopes });
  };
  const toggleScope = (scope: string, on: boolean) => {
    const scopes = on ? [...choice.scopes, scope] : choice.scopes.filter((s) => s !== scope);
    onChange({ scopes, tools: choice.tools.filter((t) => options.tools.find((x) => x.name === t)?.anyOfScopes.some((s) => scopes.includes(s))) });
  };
  const title = `${connection.providerName} (${connection.label})`;
  return (
    <fieldset className="consent-connection">
      <legend>
        <label className="check">
          <input type="checkbox" checked={choice.on} onChange={(e) => onChange({ on: e.target.checked })} aria-label={`Give access to ${title}`} />
          {title}
        </label>
      </legend>
      {choice.on && (
        <div className="stack">
          <div role="group" aria-label={`Tools on ${title}`}>
            <p className="note">Tools</p>
            {options.tools.length === 0 && <p className="note">No tool is allowed here.</p>}
            {options.tools.map((t) => (
              <label key={t.name} className="check">
                <input type="checkbox" checked={choice.tools.includes(t.name)} onChange={(e) => toggleTool(t.name, e.target.checked)} />
                {t.title}
                {t.write ? " (changes data)" : ""}
              </label>
            ))}
          </div>
          <div role="group" aria-label={`Scopes on ${title}`}>
            <p className="note">Scopes</p>
            {options.scopes.map((s) => (
              <label key={s.scope} className="check">
                <input type="checkbox" checked={choice.scopes.includes(s.scope)} onChange={(e) => toggleScope(s.scope, e.target.checked)} />
                <code>{s.scope}</code> <span className="note">{s.description}</span>
              </label>
            ))}
          </div>
          <label className="check">
            <input type="checkbox" checked={choice.readOnly} onChange={(e) => onChange({ readOnly: e.target.checked })} />
            Read-only
          </label>
          {options.refusedTools.length > 0 && (
            <ul className="note refused">
              {options.refusedTools.map((t) => (
                <li key={t.name}>
                  {t.title}: {t.reason}
                </li>
              ))}
            </ul>
          )}
          <details>
            <summary>Limits</summary>
            <GrantLimits agent={options} value={choice.limits} onChange={(limits) => onChange({ limits })} />
          </details>
        </div>
      )}
    </fieldset>
  );
}
