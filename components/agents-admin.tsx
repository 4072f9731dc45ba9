"use client";
// The admin's agents page below its heading: the registered agents (kept fresh by React Query after
// every change), the register form, and the one-time display of a new client secret.
import { useState } from "react";

import { AgentCard } from "@/components/agent-card";
import type { ProviderOption } from "@/components/agent-ceiling-form";
import { NewAgentCredentials, type RevealedCredentials } from "@/components/new-agent-credentials";
import { RegisterAgentForm } from "@/components/register-agent-form";
import { useAgents, type AgentDto } from "@/lib/agents/queries";
import type { RegisterAgentAnswer, UpdateAgentAnswer } from "@/lib/agents/schemas";

export function AgentsAdmin({ initial, providers }: { initial: AgentDto[]; providers: ProviderOption[] }) {
  const { data: agents = initial, error } = useAgents(initial);
  const [revealed, setRevealed] = useState<RevealedCredentials | null>(null);

  const reveal = (rotated: boolean) => (answer: RegisterAgentAnswer | UpdateAgentAnswer) =>
    setRevealed({ agentName: answer.agent.name, clientId: answer.client_id, clientSecret: answer.client_secret, rotated });

  return (
    <>
      {revealed && <NewAgentCredentials credentials={revealed} onDone={() => setRevealed(null)} />}
      <section aria-labelledby="registered-agents">
        <h2 id="registered-agents">Registered agents</h2>
        {error && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
        {agents.length === 0 ? (
          <div className="card empty">
            <h3>No agents registered yet</h3>
            <p>
              Start by registering an agent below: it gets a client ID to sign in with. Then edit its ceiling to say which providers and tools it may ever use;
              people can grant it access to their own connections only within that ceiling.
            </p>
          </div>
        ) : (
          <ul className="agent-list">
            {agents.map((agent) => (
              <AgentCard key={agent.id} agent={agent} providers={providers} onRotated={reveal(true)} />
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="register-agent">
        <h2 id="register-agent">Register an agent</h2>
        <p className="note">A new agent can do nothing until you set its ceiling and someone grants it access to a connection.</p>
        <RegisterAgentForm onRegistered={reveal(false)} />
      </section>
    </>
  );
}
