"use client";
// The organisation's MCP client policy on the MCP clients page: who may connect clients at all,
// whether a client new to the organisation waits for an administrator or is approved at once with
// the default ceiling, that ceiling, and the hosts whose metadata documents the organisation vouches
// for. The choices save together; the default ceiling saves on its own, like any ceiling.
import { useId, useState, type FormEvent } from "react";

import { CeilingForm, type ProviderOption } from "@/components/agent-ceiling-form";
import { describeIssues } from "@/lib/describe-issues";
import { MAX_VERIFIED_HOSTS, verifiedHost, type McpClientPolicy } from "@/lib/oauth-clients/policy";
import { useTenantSettings, useUpdateTenantSettings, type TenantSettingsDto } from "@/lib/tenancy/queries";

const WHO: Array<[McpClientPolicy["whoMayConnect"], string]> = [
  ["everyone", "Everyone in the organisation"],
  ["admins", "Administrators only"],
  ["nobody", "Nobody: MCP clients cannot connect"],
];
const NEW: Array<[McpClientPolicy["newClients"], string]> = [
  ["approval", "Waits until an administrator approves it (recommended)"],
  ["tenant_default", "Is approved at once, with the default ceiling below"],
];

function readHosts(text: string): string[] | string {
  const hosts = text
    .split(/[\s,]+/)
    .map((h) => h.trim())
    .filter(Boolean);
  if (hosts.length > MAX_VERIFIED_HOSTS) return `List at most ${MAX_VERIFIED_HOSTS} hosts.`;
  for (const host of hosts) {
    const parsed = verifiedHost.safeParse(host);
    if (!parsed.success) return `"${host}" ${describeIssues(parsed.error.issues, "host").replace(/^The host /, "")}`;
  }
  return hosts.map((h) => h.toLowerCase());
}

export function McpClientPolicyForm({ initial, providers }: { initial: TenantSettingsDto; providers: ProviderOption[] }) {
  const { data: settings = initial } = useTenantSettings(initial);
  const policy = settings.mcpClientPolicy;
  const choices = useUpdateTenantSettings();
  const ceiling = useUpdateTenantSettings();
  const ids = useId();
  const [who, setWho] = useState(policy.whoMayConnect);
  const [newClients, setNewClients] = useState(policy.newClients);
  const [hostText, setHostText] = useState(policy.verifiedHosts.join("\n"));
  const [invalid, setInvalid] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    setInvalid(null);
    const hosts = readHosts(hostText);
    if (typeof hosts === "string") {
      setInvalid(hosts);
      return;
    }
    choices.mutate({ mcpClientPolicy: { whoMayConnect: who, newClients, verifiedHosts: hosts } });
  }

  const error = invalid ?? choices.error?.message ?? null;
  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <h2 id={`${ids}-title`}>Policy for MCP clients</h2>
      <form onSubmit={submit} className="stack agent-form" aria-label="MCP client policy">
        <fieldset>
          <legend>Who may connect MCP clients</legend>
          {WHO.map(([value, words]) => (
            <label key={value} className="check">
              <input type="radio" name={`${ids}-who`} checked={who === value} onChange={() => setWho(value)} />
              {words}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>A client new to {settings.name}</legend>
          {NEW.map(([value, words]) => (
            <label key={value} className="check">
              <input type="radio" name={`${ids}-new`} checked={newClients === value} onChange={() => setNewClients(value)} />
              {words}
            </label>
          ))}
        </fieldset>
        <div className="field-pair">
          <label htmlFor={`${ids}-hosts`}>Hosts you vouch for</label>
          <textarea
            id={`${ids}-hosts`}
            rows={3}
            value={hostText}
            onChange={(e) => setHostText(e.target.value)}
            spellCheck={false}
            aria-describedby={`${ids}-hosts-note`}
          />
        </div>
        <p className="note" id={`${ids}-hosts-note`}>
          One per line, such as <code>claude.ai</code>. A client whose metadata document is on one of these hosts is shown as verified to the people who connect
          it. Self-registered clients are never verified.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {choices.isSuccess && (
          <p className="banner ok" role="status">
            Policy saved.
          </p>
        )}
        <div className="actions">
          <button type="submit" className="primary" disabled={choices.isPending}>
            {choices.isPending ? "Saving…" : "Save policy"}
          </button>
        </div>
      </form>
      <h3>Default ceiling</h3>
      <CeilingForm
        label="Default ceiling for MCP clients"
        initial={policy.defaultCeiling}
        providers={providers}
        note="What a client approved by the policy (not by an administrator) may ever do. Empty means nothing; approving a client yourself starts from this ceiling too."
        submitLabel="Save default ceiling"
        pending={ceiling.isPending}
        error={ceiling.error?.message ?? null}
        onSave={(value, saved) => ceiling.mutate({ mcpClientPolicy: { defaultCeiling: value } }, { onSuccess: saved })}
      />
    </section>
  );
}
