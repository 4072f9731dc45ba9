"use client";
// One webhook on the admin's Webhooks page: where it points, what it subscribes to, its delivery
// counts and log (each delivery's attempts and the receiver's last answer), a "Send test event"
// button and deletion behind a confirmation.
import { useState } from "react";

import { ConfirmDialog, ConfirmFooter } from "@/components/confirm-dialog";
import { useDeleteWebhook, useSendTestEvent, type WebhookDto } from "@/lib/webhooks/queries";

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

export function WebhookCard({ webhook }: { webhook: WebhookDto }) {
  const test = useSendTestEvent();
  const remove = useDeleteWebhook();
  const [confirming, setConfirming] = useState(false);
  const { pending, delivered, failed } = webhook.deliveries;

  return (
    <li className="card webhook-card" aria-label={`Webhook ${webhook.url}`}>
      <h3>
        <code>{webhook.url}</code>
      </h3>
      {webhook.description && <p>{webhook.description}</p>}
      <p className="note">
        Subscribed to {webhook.eventTypes.join(", ")} · created {when(webhook.createdAt)} · {delivered} delivered, {pending} pending, {failed} given up
      </p>
      {webhook.recent.length === 0 ? (
        <p className="empty-line">No deliveries yet: send a test event to check that your receiver gets and verifies them.</p>
      ) : (
        <table className="deliveries">
          <caption>Recent deliveries</caption>
          <thead>
            <tr>
              <th scope="col">Event</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Last attempt</th>
            </tr>
          </thead>
          <tbody>
            {webhook.recent.map((d) => (
              <tr key={d.id} data-status={d.status}>
                <td>
                  <code>{d.eventType}</code>
                </td>
                <td>
                  <span className={`badge delivery-${d.status}`}>{d.status}</span>
                  {d.nextAttemptAt && <span className="note"> next try {when(d.nextAttemptAt)}</span>}
                </td>
                <td>{d.attempts}</td>
                <td title={d.lastError ?? undefined}>{d.lastStatusCode ?? (d.lastError ? "no answer" : "—")}</td>
                <td>{when(d.lastAttemptAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {test.error && (
        <p className="error" role="alert">
          {test.error.message}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={() => test.mutate(webhook.id)} disabled={test.isPending}>
          {test.isPending ? "Sending…" : "Send test event"}
        </button>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete
        </button>
      </div>
      <ConfirmDialog open={confirming} onClose={() => setConfirming(false)} title={`Delete the webhook for ${webhook.url}?`}>
        <p>Nothing more is sent to it, and deliveries still waiting for a retry are dropped. This cannot be undone.</p>
        <ConfirmFooter
          error={remove.error}
          pending={remove.isPending}
          confirmLabel="Delete webhook"
          pendingLabel="Deleting…"
          onConfirm={() => remove.mutate(webhook.id, { onSuccess: () => setConfirming(false) })}
          onCancel={() => setConfirming(false)}
        />
      </ConfirmDialog>
    </li>
  );
}
