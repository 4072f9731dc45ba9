"use client";
// One MCP client in the administrator's list: who it says it is (and whether anyone vouches for
// that), where it sends people back to, who asked for it, its standing, and the decisions on it.
// Approving asks for a ceiling (the tenant's default ceiling to start from); blocking, suspending and
// resuming take effect on its very next request, so they need no confirmation; removing does.
import { useId, useState } from "react";

import { ceilingSummary } from "@/components/agent-card";
import { CeilingForm, type ProviderOption } from "@/components/agent-ceiling-form";
import { RemoveMcpClientButton } from "@/components/mcp-client-dialogs";
import type { Ceiling } from "@/lib/agents/ceiling";
import { useUpdateMcpClient, type McpClientDto } from "@/lib/oauth-clients/queries";

const STATUS_WORDS: Record<string, string> = { pending: "waiting for approval", approved: "approved", blocked: "blocked", suspended: "suspended" };

function when(iso: string | null): string {
  return iso ? new Date(iso).toLocaleString() : "";
}

export function McpClientCard({ client, providers, defaultCeiling }: { client: McpClientDto; providers: ProviderOption[]; defaultCeiling: Ceiling }) {
  const [editing, setEditing] = useState<"approve" | "ceiling" | null>(null);
  const formId = useId();
  const decide = useUpdateMcpClient();
  const ceiling = useUpdateMcpClient();
  const agent = client.agent;
  const suspended = client.status === "approved" && agent?.status === "suspended";
  const shown = suspended ? "suspended" : client.status;
  const act = (body: Parameters<typeof decide.mutate>[0]["body"]) => decide.mutate({ clientId: client.clientId, body });

  return (
    <li>
      <article className="card agent mcp-client" aria-label={client.name}>
        <div className="row">
          <h3>
            {client.verified && client.logoUri && (
              <img src={client.logoUri} alt="" width={20} height={20} referrerPolicy="no-referrer" className="client-logo" />
            )}
            {client.name}
          </h3>
          <span className={`badge status-${shown}`}>{STATUS_WORDS[shown]}</span>
          <span className={`badge ${client.verified ? "verified" : "unverified"}`}>{client.verified ? "verified" : "unverified"}</span>
        </div>
        <table className="facts">
          <tbody>
            <tr>
              <th scope="row">Client ID</th>
              <td>
                <code>{client.clientId}</code>
              </td>
            </tr>
            <tr>
              <th scope="row">Known by</th>
              <td>
                {client.kind === "metadata_document"
                  ? client.verified
                    ? "Its metadata document, on a host your organisation vouches for."
                    : "Its metadata document, on a host nobody in your organisation has vouched for."
                  : "It registered itself: anyone can register any name, so check who asked for it."}
                {client.native && " A native app."}
              </td>
            </tr>
            <tr>
              <th scope="row">Sends people back to</th>
              <td>{client.redirectHosts.join(", ")}</td>
            </tr>
            <tr>
              <th scope="row">Asked for by</th>
              <td>
                {client.requestedBy ? `${client.requestedBy.name} (${client.requestedBy.email})` : "someone no longer here"} on {when(client.createdAt)}
              </td>
            </tr>
            {client.decidedAt && (
              <tr>
                <th scope="row">Decided</th>
                <td>
                  {client.decidedBy ? `by ${client.decidedBy.name}` : "by your organisation's policy"} on {when(client.decidedAt)}
                </td>
              </tr>
            )}
            {agent && (
              <>
                <tr>
                  <th scope="row">Ceiling</th>
                  <td>{ceilingSummary(agent, providers)}</td>
                </tr>
                <tr>
                  <th scope="row">Active delegations</th>
                  <td>{agent.activeDelegations}</td>
                </tr>
              </>
            )}
          </tbody>
        </table>
        {client.status === "pending" && <p className="note">Waiting for your decision: nobody can connect it until you approve it and say what it may do.</p>}
        {client.status === "blocked" && <p className="note">Blocked: nobody in your organisation can connect it, and what it held stopped working.</p>}
        {suspended && <p className="note">Suspended: every token and call of this client is refused until you resume it.</p>}
        {decide.error && (
          <p className="error" role="alert">
            {decide.error.message}
          </p>
        )}
        <div className="actions">
          {client.status !== "approved" && (
            <button
              type="button"
              aria-expanded={editing === "approve"}
              aria-controls={editing ? formId : undefined}
              onClick={() => setEditing(editing === "approve" ? null : "approve")}
            >
              Approve…
            </button>
          )}
          {client.status === "approved" && agent && (
            <>
              <button
                type="button"
                aria-expanded={editing === "ceiling"}
                aria-controls={editing ? formId : undefined}
                onClick={() => setEditing(editing === "ceiling" ? null : "ceiling")}
              >
                Edit ceiling
              </button>
              <button type="button" disabled={decide.isPending} onClick={() => act({ action: suspended ? "resume" : "suspend" })}>
                {suspended ? "Resume" : "Suspend"}
              </button>
            </>
          )}
          {client.status !== "blocked" && (
            <button type="button" disabled={decide.isPending} onClick={() => act({ action: "block" })}>
              Block
            </button>
          )}
          <RemoveMcpClientButton client={client} />
        </div>
        {editing && (
          <div id={formId}>
            <CeilingForm
              label={`${editing === "approve" ? "Approve" : "Ceiling of"} ${client.name}`}
              initial={agent?.ceiling ?? defaultCeiling}
              providers={providers}
              note={
                editing === "approve"
                  ? "The most this client may ever do in your organisation. People who connect it grant it less on their own connections, never more."
                  : "Narrowing the ceiling takes effect at once on what people already granted it."
              }
              submitLabel={editing === "approve" ? "Approve" : "Save ceiling"}
              pendingLabel={editing === "approve" ? "Approving…" : "Saving…"}
              pending={ceiling.isPending}
              error={ceiling.error?.message ?? null}
              onSave={(value, saved) =>
                ceiling.mutate(
                  {
                    clientId: client.clientId,
                    body: editing === "approve" ? { action: "approve", ceiling: value } : { action: "set_ceiling", ceiling: value },
                  },
                  {
                    onSuccess: () => {
                      saved();
                      if (editing === "approve") setEditing(null);
                    },
                  },
                )
              }
              onClose={() => setEditing(null)}
            />
          </div>
        )}
      </article>
    </li>
  );
}
