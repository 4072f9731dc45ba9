"use client";
// A capability ceiling: the most an agent (or an MCP client, through its agent) may ever do, whatever
// people later grant it. It offers only the tenant's providers and, for the providers ticked, their
// tools, so the form cannot ask for what the server would refuse; the server checks again all the
// same. CeilingForm edits any ceiling and hands it to its caller; AgentCeilingForm saves an agent's.
import { useId, useState, type FormEvent } from "react";

import { CeilingApprovalFields } from "@/components/ceiling-approval-fields";
import { ceilingSchema, DAY_SECONDS, MAX_DELEGATION_SECONDS, type Ceiling } from "@/lib/agents/ceiling";
import { useUpdateAgent, type AgentDto } from "@/lib/agents/queries";
import { pathPattern } from "@/lib/pdp/path-pattern";
import { findTool, toolsForProvider } from "@/lib/providers/meta";
import { HTTP_METHODS, type HttpMethod } from "@/lib/tools/tool";

export type ProviderOption = { key: string; name: string };

const MAX_DAYS = MAX_DELEGATION_SECONDS / DAY_SECONDS;

function toggled<T>(list: readonly T[], item: T, on: boolean): T[] {
  return on ? (list.includes(item) ? [...list] : [...list, item]) : list.filter((x) => x !== item);
}

/** The form's reading of a ceiling, or a sentence saying what to fix. */
function toCeiling(input: {
  providers: string[];
  tools: string[];
  methods: HttpMethod[];
  pathText: string;
  days: string;
  allowServiceAccount: boolean;
  approvalTools: string[];
  approvalMethods: HttpMethod[];
}): Ceiling | string {
  const patterns = input.pathText
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  for (const p of patterns) {
    if (!pathPattern.safeParse(p).success) {
      return `The path pattern "${p}" is not valid: write paths like /tasks, /tasks/* or /repos/*/issues/** (* is one segment, ** only at the end).`;
    }
  }
  const days = Number(input.days);
  if (!input.days.trim() || !Number.isFinite(days) || days <= 0 || days > MAX_DAYS) {
    return `The longest delegation must be a number of days above 0 and at most ${MAX_DAYS}.`;
  }
  // A tool of a provider that was unticked goes with it.
  const tools = input.tools.filter((t) => input.providers.includes(findTool(t)?.provider ?? ""));
  const parsed = ceilingSchema.safeParse({
    providers: input.providers,
    tools,
    methods: input.methods,
    pathPatterns: patterns,
    maxDelegationSeconds: Math.max(60, Math.round(days * DAY_SECONDS)),
    allowServiceAccount: input.allowServiceAccount,
    approvalTools: input.approvalTools.filter((t) => tools.includes(t)),
    approvalMethods: input.approvalMethods.filter((m) => input.methods.includes(m)),
  });
  return parsed.success ? parsed.data : "This ceiling could not be read: check each field and try again.";
}

export type CeilingFormProps = {
  /** Names the form for assistive technology, e.g. "Ceiling of Claude". */
  label: string;
  initial: Ceiling;
  providers: ProviderOption[];
  note?: string;
  submitLabel?: string;
  pendingLabel?: string;
  pending: boolean;
  /** The server's refusal, as a sentence. */
  error: string | null;
  /** Called with a ceiling the form could read; `saved` shows the confirmation. */
  onSave: (ceiling: Ceiling, saved: () => void) => void;
  onClose?: () => void;
};

export function AgentCeilingForm({ agent, providers, onClose }: { agent: AgentDto; providers: ProviderOption[]; onClose?: () => void }) {
  const update = useUpdateAgent();
  return (
    <CeilingForm
      label={`Ceiling of ${agent.name}`}
      initial={agent.ceiling}
      providers={providers}
      note="The most this agent may ever do. People can grant it less on their own connections, never more. Narrowing the ceiling takes effect at once on existing grants."
      pending={update.isPending}
      error={update.error?.message ?? null}
      onSave={(ceiling, saved) => update.mutate({ id: agent.id, body: { ceiling } }, { onSuccess: saved })}
      onClose={onClose}
    />
  );
}

export function CeilingForm({
  label,
  initial,
  providers,
  note,
  submitLabel = "Save ceiling",
  pendingLabel = "Saving…",
  pending,
  error: serverError,
  onSave,
  onClose,
}: CeilingFormProps) {
  const ids = useId();
  const [chosen, setChosen] = useState<string[]>(initial.providers);
  const [tools, setTools] = useState<string[]>(initial.tools);
  const [methods, setMethods] = useState<HttpMethod[]>(initial.methods);
  const [pathText, setPathText] = useState(initial.pathPatterns.join("\n"));
  const [days, setDays] = useState(String(+(initial.maxDelegationSeconds / DAY_SECONDS).toFixed(3)));
  const [serviceAccount, setServiceAccount] = useState(initial.allowServiceAccount);
  const [approvalTools, setApprovalTools] = useState<string[]>(initial.approvalTools);
  const [approvalMethods, setApprovalMethods] = useState<HttpMethod[]>(initial.approvalMethods);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const offered = providers.filter((p) => chosen.includes(p.key)).flatMap((p) => toolsForProvider(p.key).map((t) => ({ ...t, providerName: p.name })));

  function changed() {
    setSaved(false);
    setInvalid(null);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    changed();
    const ceiling = toCeiling({ providers: chosen, tools, methods, pathText, days, allowServiceAccount: serviceAccount, approvalTools, approvalMethods });
    if (typeof ceiling === "string") {
      setInvalid(ceiling);
      return;
    }
    onSave(ceiling, () => setSaved(true));
  }

  const error = invalid ?? serverError;
  return (
    <form onSubmit={submit} className="stack agent-form ceiling-form" aria-label={label}>
      {note && <p className="note">{note}</p>}
      <fieldset>
        <legend>Providers</legend>
        {providers.length === 0 && <p className="note">Your organisation has no providers yet: add one on the Providers page first.</p>}
        {providers.map((p) => (
          <label key={p.key} className="check">
            <input
              type="checkbox"
              checked={chosen.includes(p.key)}
              onChange={(e) => {
                changed();
                setChosen((c) => toggled(c, p.key, e.target.checked));
              }}
            />
            {p.name}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Tools</legend>
        {chosen.length === 0 && <p className="note">Choose a provider above to see its tools.</p>}
        {chosen.length > 0 && offered.length === 0 && (
          <p className="note">The chosen providers have no tools yet; the agent can still use the HTTP methods and paths below.</p>
        )}
        {offered.map((t) => (
          <div key={t.name} className="tool-option">
            <label className="check">
              <input
                type="checkbox"
                checked={tools.includes(t.name)}
                aria-describedby={`${ids}-${t.name}`}
                onChange={(e) => {
                  changed();
                  setTools((list) => toggled(list, t.name, e.target.checked));
                }}
              />
              {t.name}
            </label>
            <span id={`${ids}-${t.name}`} className="note">
              {t.title}: {t.description}
              {t.write ? " Changes data." : " Read only."}
            </span>
          </div>
        ))}
      </fieldset>
      <fieldset>
        <legend>HTTP methods</legend>
        <p className="note">Methods the agent may use when it calls a provider&apos;s API directly through the vault.</p>
        <div className="inline-checks">
          {HTTP_METHODS.map((m) => (
            <label key={m} className="check">
              <input
                type="checkbox"
                checked={methods.includes(m)}
                onChange={(e) => {
                  changed();
                  setMethods((list) => toggled(list, m, e.target.checked));
                }}
              />
              {m}
            </label>
          ))}
        </div>
      </fieldset>
      {/* Beside its label, not inside it: a textarea's text would otherwise join the label's. */}
      <div className="field-pair">
        <label htmlFor={`${ids}-path-input`}>Path patterns</label>
        <textarea
          id={`${ids}-path-input`}
          rows={3}
          value={pathText}
          aria-describedby={`${ids}-paths`}
          onChange={(e) => {
            changed();
            setPathText(e.target.value);
          }}
          spellCheck={false}
        />
      </div>
      <p id={`${ids}-paths`} className="note">
        One per line, relative to the provider&apos;s API: <code>/tasks</code>, <code>/tasks/*</code> (one segment), <code>/repos/**</code> (anything below).
        Empty means no direct API calls.
      </p>
      <label>
        Longest delegation (days)
        <input
          type="number"
          min="0"
          max={MAX_DAYS}
          step="any"
          inputMode="decimal"
          value={days}
          onChange={(e) => {
            changed();
            setDays(e.target.value);
          }}
        />
      </label>
      <CeilingApprovalFields
        tools={tools.filter((t) => offered.some((o) => o.name === t))}
        methods={methods}
        approvalTools={approvalTools}
        approvalMethods={approvalMethods}
        onTools={(list) => {
          changed();
          setApprovalTools(list);
        }}
        onMethods={(list) => {
          changed();
          setApprovalMethods(list);
        }}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={serviceAccount}
          onChange={(e) => {
            changed();
            setServiceAccount(e.target.checked);
          }}
        />
        May use a service account
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <p className="banner ok" role="status">
          Ceiling saved.
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={pending}>
          {pending ? pendingLabel : submitLabel}
        </button>
        {onClose && (
          <button type="button" onClick={onClose}>
            Close
          </button>
        )}
      </div>
    </form>
  );
}
