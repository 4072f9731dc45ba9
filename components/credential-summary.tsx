// What the portal shows of a pasted credential: its fingerprint, its last four characters where the
// provider's format allows, and whether the provider accepted it when it was stored. Read from the
// connection's metadata, which holds nothing more (the key itself is sealed in the vault).
type Summary = { type: "api_key"; fingerprint: string; lastFour: string | null; verified: boolean };

export function credentialOf(metadata: Record<string, unknown>): Summary | null {
  const c = metadata.credential as Partial<Summary> | undefined;
  if (!c || c.type !== "api_key" || typeof c.fingerprint !== "string") return null;
  return { type: "api_key", fingerprint: c.fingerprint, lastFour: typeof c.lastFour === "string" ? c.lastFour : null, verified: c.verified === true };
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
