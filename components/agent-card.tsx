"use client";
// One registered agent in the admin's list: who it is, whether it may act, the gist of its ceiling,
// and the actions on it. Suspending takes effect on the agent's very next call, so it needs no
// confirmation: resuming undoes it.
import { useId, useState } from "react";

import { AgentCeilingForm, type ProviderOption } from "@/components/agent-ceiling-form";
import { DeleteAgentButton, RotateSecretButton } from "@/components/agent-dialogs";
import { DAY_SECONDS, type Ceiling } from "@/lib/agents/ceiling";
import { useUpdateAgent, type AgentDto } from "@/lib/agents/queries";
import type { UpdateAgentAnswer } from "@/lib/agents/schemas";

const METHOD_WORDS: Record<string, string> = { client_secret: "client secret", private_key_jwt: "private key (JWT)" };

function plural(n: number, one: string, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

function duration(seconds: number): string {
  if (seconds % DAY_SECONDS === 0) return plural(seconds / DAY_SECONDS, "day");
  if (seconds % 3600 === 0) return plural(seconds / 3600, "hour");
  return plural(Math.round(seconds / 60), "minute");
}

/** The ceiling in one or two lines, in words. */
export function ceilingSummary(agent: { ceiling: Ceiling }, providers: ProviderOption[]): string {
  const c = agent.ceiling;
  if (c.providers.length === 0) return "Can do nothing yet: edit its ceiling to allow providers and tools.";
  const names = c.providers.map((k) => providers.find((p) => p.key === k)?.name ?? k);
  const parts = [
    names.join(", "),
    c.tools.length ? plural(c.tools.length, "tool") : "no tools",
    c.methods.length ? `${c.methods.join(", ")} on ${c.pathPatterns.length ? c.pathPatterns.join(" ") : "no paths"}` : "no direct API calls",
    `delegations up to ${duration(c.maxDelegationSeconds)}`,
    c.allowServiceAccount ? "may use a service account" : "no service account",
    ...(c.approvalTools.length || c.approvalMethods.length ? [`asks first for ${[...c.approvalTools, ...c.approvalMethods].join(", ")}`] : []),
  ];
  return parts.join(" · ");
}

export function AgentCard({ agent, providers, onRotated }: { agent: AgentDto; providers: ProviderOption[]; onRotated: (answer: UpdateAgentAnswer) => void }) {
  const [editing, setEditing] = useState(false);
  const formId = useId();
  const status = useUpdateAgent();
  const enable = useUpdateAgent();
  const suspended = agent.status === "suspended";
  const hasSecret = agent.authMethods.includes("client_secret");
  const error = status.error?.message ?? enable.error?.message ?? null;

  return (
    <li>
      <article className="card agent" aria-label={agent.name}>
        <div className="row">
          <h3>{agent.name}</h3>
          <span className={`badge status-${agent.status}`}>{agent.status}</span>
        </div>
        {agent.description && <p>{agent.description}</p>}
        <table className="facts">
          <tbody>
            <tr>
              <th scope="row">Client ID</th>
              <td>
                <code>{agent.clientId}</code>
              </td>
            </tr>
            <tr>
              <th scope="row">Signs in with</th>
              <td>
                {agent.authMethods.map((m) => METHOD_WORDS[m] ?? m).join(" or ")}
                {agent.jwksUri && (
                  <>
                    {" "}
                    from <code>{agent.jwksUri}</code>
                  </>
                )}
                {agent.keyCount > 0 && ` (${plural(agent.keyCount, "public key")})`}
                {agent.previousSecretExpiresAt && (
                  <span className="note"> · the previous secret works until {new Date(agent.previousSecretExpiresAt).toLocaleString()}</span>
                )}
              </td>
            </tr>
            <tr>
              <th scope="row">Ceiling</th>
              <td>{ceilingSummary(agent, providers)}</td>
            </tr>
            <tr>
              <th scope="row">Active delegations</th>
              <td>{agent.activeDelegations}</td>
            </tr>
          </tbody>
        </table>
        {suspended && <p className="note">Suspended: every token and call of this agent is refused until you resume it.</p>}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="button" aria-expanded={editing} aria-controls={editing ? formId : undefined} onClick={() => setEditing((e) => !e)}>
            Edit ceiling
          </button>
          <button
            type="button"
            onClick={() => status.mutate({ id: agent.id, body: { status: suspended ? "active" : "suspended" } })}
            disabled={status.isPending}
          >
            {suspended ? "Resume" : "Suspend"}
          </button>
          {hasSecret ? (
            <RotateSecretButton agent={agent} onRotated={onRotated} />
          ) : (
            <button
              type="button"
              onClick={() => enable.mutate({ id: agent.id, body: { enableSecret: true } }, { onSuccess: onRotated })}
              disabled={enable.isPending}
            >
              Add client secret
            </button>
          )}
          <DeleteAgentButton agent={agent} />
        </div>
        {editing && (
          <div id={formId}>
            <AgentCeilingForm agent={agent} providers={providers} onClose={() => setEditing(false)} />
          </div>
        )}
      </article>
    </li>
  );
}
