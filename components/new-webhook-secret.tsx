"use client";
// The one moment a webhook's signing secret is visible: right after the webhook is created. It lives
// only in this component's props; "Done" drops it and nothing can show it again.
import { useRevealedSecret } from "@/components/use-revealed-secret";

export type RevealedWebhookSecret = { url: string; secret: string };

export function NewWebhookSecret({ revealed, onDone }: { revealed: RevealedWebhookSecret; onDone: () => void }) {
  const { region, copied, copy } = useRevealedSecret(revealed.secret, revealed);

  return (
    <section ref={region} tabIndex={-1} className="card banner ok new-credentials" aria-label="New webhook secret">
      <h3>Webhook created for {revealed.url}</h3>
      <table className="facts">
        <tbody>
          <tr>
            <th scope="row">Signing secret</th>
            <td>
              <code className="secret-value">{revealed.secret}</code>
            </td>
          </tr>
        </tbody>
      </table>
      <p>
        <strong>This secret is shown only once.</strong> Copy it into your receiver now: it checks each delivery&apos;s <code>X-Vault-Signature</code> header (
        <code>t=&lt;unix&gt;,v1=&lt;HMAC-SHA256 of &quot;t.body&quot;&gt;</code>) with it and refuses timestamps older than five minutes. If it is lost, delete
        the webhook and create it again.
      </p>
      <div className="actions">
        <button type="button" onClick={copy}>
          {copied ? "Copied" : "Copy secret"}
        </button>
        <button type="button" className="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
