// What the portal shows of a pasted credential: its fingerprint, its last four characters where the
// provider's format allows, and whether the provider accepted it when it was stored. Read from the
// connection's metadata, which holds nothing more (the key itself is sealed in the vault).
import { credentialSummary, type CredentialSummary as Summary } from "@/lib/connections/schemas";

export function credentialOf(metadata: Record<string, unknown>): Summary | null {
  const parsed = credentialSummary.safeParse(metadata.credential);
  return parsed.success ? parsed.data : null;
}

export function CredentialSummary({ metadata }: { metadata: Record<string, unknown> }) {
  const c = credentialOf(metadata);
  if (!c) return null;
  return (
    <p className="note">
      API key
      {c.lastFour && (
        <>
          {" "}
          ending <code>{c.lastFour}</code>
        </>
      )}{" "}
      · fingerprint <code>{c.fingerprint}</code> · {c.verified ? "checked with the provider when stored" : "stored without a check"}
    </p>
  );
}
