"use client";
// Creating a webhook: the receiver's URL, a note, and the event types it subscribes to. The same
// schema as the handler checks the input first; the vault then checks the URL is a public https
// address (or this machine, in demo mode) and answers the signing secret once.
import { useId, useState, type FormEvent } from "react";

import { useCreateWebhook } from "@/lib/webhooks/queries";
import { createWebhookBody, SUBSCRIBABLE_EVENT_TYPES, type CreatedWebhook } from "@/lib/webhooks/schemas";

export function NewWebhookForm({ onCreated }: { onCreated: (answer: CreatedWebhook) => void }) {
  const create = useCreateWebhook();
  const ids = useId();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [types, setTypes] = useState<string[]>([...SUBSCRIBABLE_EVENT_TYPES]);
  const [invalid, setInvalid] = useState<string | null>(null);

  function toggle(type: string, on: boolean) {
    setTypes((current) => (on ? [...current, type] : current.filter((t) => t !== type)));
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    create.reset();
    const parsed = createWebhookBody.safeParse({ url, description, eventTypes: SUBSCRIBABLE_EVENT_TYPES.filter((t) => types.includes(t)) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const subject = issue.path[0] === "url" ? "The URL" : issue.path[0] === "eventTypes" ? "The event list" : "The description";
      setInvalid(`${subject} ${issue.message}.`);
      return;
    }
    setInvalid(null);
    create.mutate(parsed.data, {
      onSuccess: (answer) => {
        setUrl("");
        setDescription("");
        setTypes([...SUBSCRIBABLE_EVENT_TYPES]);
        onCreated(answer);
      },
    });
  }

  const error = invalid ?? create.error?.message ?? null;
  return (
    <form onSubmit={submit} className="stack" aria-label="Create a webhook">
      <label htmlFor={`${ids}-url`}>Receiver URL</label>
      <input id={`${ids}-url`} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://siem.example.com/hooks/vault" required />
      <label htmlFor={`${ids}-description`}>Description (optional)</label>
      <input id={`${ids}-description`} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={200} />
      <fieldset>
        <legend>Event types</legend>
        {SUBSCRIBABLE_EVENT_TYPES.map((type) => (
          <label key={type} className="check">
            <input type="checkbox" checked={types.includes(type)} onChange={(e) => toggle(type, e.target.checked)} /> <code>{type}</code>
          </label>
        ))}
        <p className="note">
          Each type&apos;s JSON Schema is at <a href="/api/v1/event-schemas">/api/v1/event-schemas</a>.
        </p>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? "Creating…" : "Create webhook"}
        </button>
      </div>
    </form>
  );
}
