"use client";
// The one moment a client secret is visible: right after registering an agent or rotating its
// secret. It lives only in this component's props; "Done" drops it and nothing can show it again.
import { useRevealedSecret } from "@/components/use-revealed-secret";

export type RevealedCredentials = { agentName: string; clientId: string; clientSecret?: string; rotated?: boolean };

export function NewAgentCredentials({ credentials, onDone }: { credentials: RevealedCredentials; onDone: () => void }) {
  const { region, copied, copy: copySecret } = useRevealedSecret(credentials.clientSecret, credentials);

  return (
    <section ref={region} tabIndex={-1} className="card banner ok new-credentials" aria-label="New agent credentials">
      <h3>{credentials.rotated ? `New client secret for ${credentials.agentName}` : `${credentials.agentName} is registered`}</h3>
      <table className="facts">
        <tbody>
          <tr>
            <th scope="row">Client ID</th>
            <td>
              <code>{credentials.clientId}</code>
            </td>
          </tr>
          {credentials.clientSecret && (
            <tr>
              <th scope="row">Client secret</th>
              <td>
                <code className="secret-value">{credentials.clientSecret}</code>
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {credentials.clientSecret ? (
        <p>
          <strong>This secret is shown only once.</strong> Copy it now into your agent&apos;s secret store: the vault keeps only a hash of it and cannot show it
          again. If it is lost, rotate the secret.
        </p>
      ) : (
        <p>This agent has no client secret: it signs in with its private key (private_key_jwt), using the client ID above.</p>
      )}
      <div className="actions">
        {credentials.clientSecret && (
          <button type="button" onClick={copySecret}>
            {copied ? "Copied" : "Copy secret"}
          </button>
        )}
        <button type="button" className="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
