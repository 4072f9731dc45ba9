"use client";
// The admin's Webhooks page below its heading: the tenant's webhooks with their delivery logs (kept
// fresh by React Query), the creation form, and the one-time display of a new signing secret.
import { useState } from "react";

import { NewWebhookForm } from "@/components/new-webhook-form";
import { NewWebhookSecret, type RevealedWebhookSecret } from "@/components/new-webhook-secret";
import { WebhookCard } from "@/components/webhook-card";
import { useWebhooks, type WebhookDto } from "@/lib/webhooks/queries";

export function WebhooksAdmin({ initial }: { initial: WebhookDto[] }) {
  const { data: webhooks = initial, error } = useWebhooks(initial);
  const [revealed, setRevealed] = useState<RevealedWebhookSecret | null>(null);

  return (
    <>
      {revealed && <NewWebhookSecret revealed={revealed} onDone={() => setRevealed(null)} />}
      <section aria-labelledby="webhooks">
        <h2 id="webhooks">Webhooks</h2>
        {error && (
          <p className="error" role="alert">
            {error.message}
          </p>
        )}
        {webhooks.length === 0 ? (
          <div className="card empty">
            <h3>No webhooks yet</h3>
            <p>
              Create one below to have the vault send token exchanges, connected accounts, delegations, alerts and approvals to your SIEM or chat tool as they
              happen, each signed so the receiver can tell it came from here.
            </p>
          </div>
        ) : (
          <ul className="webhook-list">
            {webhooks.map((w) => (
              <WebhookCard key={w.id} webhook={w} />
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="create-webhook">
        <h2 id="create-webhook">Create a webhook</h2>
        <NewWebhookForm onCreated={(answer) => setRevealed({ url: answer.webhook.url, secret: answer.secret })} />
      </section>
    </>
  );
}
