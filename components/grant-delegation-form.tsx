"use client";
// "Grant an agent" on a connection's page: the form offers only what the agent's ceiling and this
// connection's scopes allow (lib/delegations/grant-rules.ts, via the options route) and lists the
// rest with the reason, so nobody has to guess why a box is missing. The same zod schema as the
// handler checks the input first, so a mistake reads the same here as from the API.
import { useEffect, useId, useMemo, useState, type FormEvent } from "react";

import { describeDuration } from "@/lib/delegations/grant-rules";
import { useDelegationOptions, useGrantDelegation, type AgentOptions, type DelegationOptions } from "@/lib/delegations/queries";
import { createDelegationBody } from "@/lib/delegations/schemas";
import { describeIssues } from "@/lib/describe-issues";
import { GrantLimits, emptyLimits, limitsToConstraints, type LimitsState } from "./grant-limits";

const HOUR = 3600;
const DAY = 86_400;
const EXPIRY_CHOICES = [HOUR, DAY, 7 * DAY, 30 * DAY, 90 * DAY, 365 * DAY];

/** Expiry choices up to the ceiling's maximum; the maximum itself is always offered. */
export function expiryChoices(maxSeconds: number): number[] {
  const fit = EXPIRY_CHOICES.filter((s) => s <= maxSeconds);
  return fit.at(-1) === maxSeconds ? fit : [...fit, maxSeconds];
}

type Props = { connectionId: string; initialOptions: DelegationOptions; tenantName: string; isAdmin: boolean };

export function GrantDelegationForm({ connectionId, initialOptions, tenantName, isAdmin }: Props) {
  const { data: options = initialOptions, dataUpdatedAt, error: loadError } = useDelegationOptions(connectionId, initialOptions);
  const available = options.agents.filter((a) => !a.unavailable);

  return (
    <section className="card" aria-label="Grant an agent">
      <h2>Grant an agent</h2>
      {loadError && (
        <p className="error" role="alert">
          {loadError.message}
        </p>
      )}
      {options.agents.length === 0 ? (
        <p className="empty-line">
          No agents are registered in {tenantName} yet: an administrator must register one before you can grant access.{" "}
          {isAdmin && <a href="/agents">Register an agent</a>}
        </p>
      ) : available.length === 0 && options.agents.every((a) => a.unavailable?.code === "connection_unavailable") ? (
        <p className="empty-line">{options.agents[0]!.unavailable!.reason}</p>
      ) : (
        <GrantForm options={options} available={available} skewMs={Date.parse(options.serverTime) - dataUpdatedAt} />
      )}
    </section>
  );
}

function GrantForm({ options, available, skewMs }: { options: DelegationOptions; available: AgentOptions[]; skewMs: number }) {
  const ids = { agent: useId(), expiry: useId() };
  const [agentId, setAgentId] = useState(available[0]?.agentId ?? "");
  const [scopes, setScopes] = useState<string[]>([]);
  const [tools, setTools] = useState<string[]>([]);
  const [expiry, setExpiry] = useState(DAY);
  const [readOnly, setReadOnly] = useState(false);
  const [approval, setApproval] = useState(false);
  const [serviceAccount, setServiceAccount] = useState(false);
  const [limits, setLimits] = useState<LimitsState>(emptyLimits);
  const [problem, setProblem] = useState<string | null>(null);
  const mutation = useGrantDelegation();

  // The chosen agent may have become unavailable since (suspended, ceiling narrowed): fall back.
  const agent = available.find((a) => a.agentId === agentId) ?? available[0];
  const choices = useMemo(() => expiryChoices(agent?.maxDelegationSeconds ?? DAY), [agent?.maxDelegationSeconds]);
  const seconds = choices.includes(expiry) ? expiry : (choices.filter((s) => s <= DAY).at(-1) ?? choices[0]!);

  useEffect(() => {
    // The browser's own zone is the natural default, known only once running in the browser.
    setLimits((l) => (l.timeZone ? l : { ...l, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }));
  }, []);

  function touched() {
    setProblem(null);
    if (!mutation.isPending) mutation.reset();
  }

  function pickAgent(id: string) {
    touched();
    setAgentId(id);
    setScopes([]);
    setTools([]);
    setServiceAccount(false);
  }

  function toggleScope(scope: string, on: boolean) {
    touched();
    const next = on ? [...scopes, scope] : scopes.filter((s) => s !== scope);
    setScopes(next);
    // A tool stays chosen only while one of the scopes it needs is.
    setTools((list) => list.filter((t) => agent?.tools.find((x) => x.name === t)?.anyOfScopes.some((s) => next.includes(s))));
  }

  function toggleTool(name: string, on: boolean) {
    touched();
    if (!on) return setTools(tools.filter((t) => t !== name));
    setTools([...tools, name]);
    const tool = agent?.tools.find((t) => t.name === name);
    const offered = agent?.scopes.map((s) => s.scope) ?? [];
    // Choosing a tool chooses the first scope it needs, unless one is chosen already.
    if (tool && !tool.anyOfScopes.some((s) => scopes.includes(s))) {
      const first = tool.anyOfScopes.find((s) => offered.includes(s));
      if (first) setScopes([...scopes, first]);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!agent) return;
    const built = limitsToConstraints(limits);
    if (typeof built === "string") return setProblem(built);
    const body = {
      agentId: agent.agentId,
      connectionId: options.connection.id,
      scopes,
      tools,
      // In the server's clock, so a grant of exactly the agent's maximum is not refused for clock skew.
      expiresAt: new Date(Date.now() + skewMs + seconds * 1000).toISOString(),
      constraints: { ...built, readOnly, approvalForWrites: approval },
      // Only offered (and so only sent) when the agent's ceiling allows service accounts.
      allowServiceAccount: agent.allowServiceAccount && serviceAccount,
    };
    const parsed = createDelegationBody.safeParse(body);
    if (!parsed.success) return setProblem(describeIssues(parsed.error.issues.map(labelIssue), "grant"));
    mutation.mutate(body, {
      onSuccess: () => {
        setScopes([]);
        setTools([]);
        setServiceAccount(false);
      },
    });
  }

  const refusedAgents = options.agents.filter((a) => a.unavailable);
  return (
    <form className="stack grant-form" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor={ids.agent}>Agent</label>
        <select id={ids.agent} value={agent?.agentId ?? ""} onChange={(e) => pickAgent(e.target.value)}>
          {available.length === 0 && <option value="">No agent may be given access</option>}
          {options.agents.map((a) =>
            a.unavailable ? (
              <option key={a.agentId} value={a.agentId} disabled>
                {a.agentName} (not available: {a.unavailable.reason})
              </option>
            ) : (
              <option key={a.agentId} value={a.agentId}>
                {a.agentName}
              </option>
            ),
          )}
        </select>
        {refusedAgents.length > 0 && (
          <ul className="note refused">
            {refusedAgents.map((a) => (
              <li key={a.agentId}>
                <strong>{a.agentName}</strong>: {a.unavailable!.reason}
              </li>
            ))}
          </ul>
        )}
      </div>

      {agent && (
        <>
          <fieldset>
            <legend>Scopes</legend>
            {agent.scopes.length === 0 && <p className="note">This connection has no scopes to share: reconnect it asking for some.</p>}
            {agent.scopes.map((s) => (
              <CheckOption
                key={s.scope}
                label={s.scope}
                note={s.description}
                checked={scopes.includes(s.scope)}
                onChange={(on) => toggleScope(s.scope, on)}
                code
              />
            ))}
            <Refused items={agent.refusedScopes.map((s) => ({ key: s.scope, name: s.scope, reason: s.reason }))} />
          </fieldset>

          <fieldset>
            <legend>Tools</legend>
            {agent.tools.length === 0 && <p className="note">No tool is allowed here; the agent may still make direct API calls within its limits.</p>}
            {agent.tools.map((t) => (
              <CheckOption
                key={t.name}
                label={t.name}
                note={`${t.title}${t.write ? " (changes data)" : ""}. Needs ${t.anyOfScopes.join(" or ")}.`}
                checked={tools.includes(t.name)}
                onChange={(on) => toggleTool(t.name, on)}
              />
            ))}
            <Refused items={agent.refusedTools.map((t) => ({ key: t.name, name: t.name, reason: t.reason }))} />
          </fieldset>

          <div className="field">
            <label htmlFor={ids.expiry}>Expires in</label>
            <select
              id={ids.expiry}
              value={seconds}
              onChange={(e) => {
                touched();
                setExpiry(Number(e.target.value));
              }}
            >
              {choices.map((s) => (
                <option key={s} value={s}>
                  {describeDuration(s)}
                </option>
              ))}
            </select>
            <span className="note">
              {agent.agentName} may be given access for at most {describeDuration(agent.maxDelegationSeconds)}.
            </span>
          </div>

          <CheckOption
            label="Read-only"
            note="Reading only: the vault refuses tools that change data and any write through the API, even if chosen above."
            checked={readOnly}
            onChange={(on) => {
              touched();
              setReadOnly(on);
            }}
          />
          <CheckOption
            label="Ask me before writes"
            note="Each change the agent wants to make waits for your approval in the portal."
            checked={approval}
            onChange={(on) => {
              touched();
              setApproval(on);
            }}
          />

          {agent.allowServiceAccount && (
            <CheckOption
              label="Allow the tenant's service account if my connection stops working"
              note={
                `If this connection needs reconnecting or is disconnected, ${agent.agentName} may act with your organisation's ${options.connection.providerName} service account instead, with that account's access, within everything you choose here. Every such action is marked in the audit log.` +
                (options.tenantAllowsServiceAccounts
                  ? ""
                  : " Service accounts are turned off in your organisation at the moment, so this only takes effect once an administrator allows them.")
              }
              checked={serviceAccount}
              onChange={(on) => {
                touched();
                setServiceAccount(on);
              }}
            />
          )}

          <GrantLimits
            agent={agent}
            value={limits}
            onChange={(l) => {
              touched();
              setLimits(l);
            }}
          />

          {(problem || mutation.error) && (
            <p className="error" role="alert">
              {problem ?? mutation.error!.message}
            </p>
          )}
          {mutation.isSuccess && (
            <p className="banner ok" role="status">
              Access granted.
            </p>
          )}
          <div className="actions">
            <button type="submit" className="primary" disabled={mutation.isPending}>
              {mutation.isPending ? "Granting…" : "Grant access"}
            </button>
          </div>
        </>
      )}
    </form>
  );
}

const FIELD_LABELS: Record<string, string> = {
  scopes: "Scopes",
  tools: "Tools",
  expiresAt: "Expires in",
  "constraints.methods": "Methods",
  "constraints.pathPatterns": "Path patterns",
  "constraints.timeWindow.days": "Days",
  "constraints.timeWindow.start": "From",
  "constraints.timeWindow.end": "Until",
  "constraints.timeWindow.timeZone": "Time zone",
  "constraints.rateLimit.max": "At most",
  "constraints.rateLimit.perSeconds": "actions per",
};

/** Names a schema issue by the form's label rather than the JSON path. */
function labelIssue<T extends { path: PropertyKey[] }>(issue: T): T {
  const key = issue.path.filter((p) => typeof p === "string").join(".");
  const label = FIELD_LABELS[key] ?? Object.entries(FIELD_LABELS).find(([k]) => key.startsWith(`${k}.`) || key === k)?.[1];
  return label ? { ...issue, path: [label] } : issue;
}

function CheckOption({
  label,
  note,
  checked,
  onChange,
  code = false,
}: {
  label: string;
  note: string;
  checked: boolean;
  onChange: (on: boolean) => void;
  code?: boolean;
}) {
  const noteId = useId();
  return (
    <div className="option">
      <label className="check">
        <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} aria-describedby={noteId} />
        {code ? <code>{label}</code> : label}
      </label>
      <span className="note" id={noteId}>
        {note}
      </span>
    </div>
  );
}

function Refused({ items }: { items: Array<{ key: string; name: string; reason: string }> }) {
  if (items.length === 0) return null;
  return (
    <div className="refused">
      <p className="note">Not offered:</p>
      <ul className="note">
        {items.map((i) => (
          <li key={i.key}>
            <code>{i.name}</code>: {i.reason}
          </li>
        ))}
      </ul>
    </div>
  );
}
