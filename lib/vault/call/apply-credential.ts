import "server-only";
// Places a pasted credential on one outgoing request, by the rules sealed with it: a header
// (`authorization: Bearer {api_key}`, `x-api-key: {api_key}`, or a constant such as an API version),
// a query parameter, or HTTP basic auth. The caller's own headers and query parameters of the same
// names are overwritten, never merged, so an agent cannot smuggle its own credential beside the
// vault's. Values are revealed here, for this request only, and checked to be one line.
import type { CredentialPlacement } from "@/lib/providers/schemas";
import { VaultCallError } from "@/lib/vault/call/errors";
import { revealSecret, type Secret } from "@/lib/vault/crypto/secret";

const PLACEHOLDER = /\{([a-z][a-z0-9_]*)\}/g;

function render(template: string, fields: ReadonlyMap<string, Secret>): string {
  const value = template.replace(PLACEHOLDER, (_, name: string) => {
    const field = fields.get(name);
    if (!field) throw new VaultCallError("invalid_upstream_url", `This connection's credential has no field "${name}": its owner must paste it again.`);
    return revealSecret(field);
  });
  if (/[\r\n\0]/.test(value)) throw new VaultCallError("invalid_upstream_url", "This connection's credential contains a line break, so it cannot be sent.");
  return value;
}

/** Sets the credential on `headers` (lower-case names) and `url` in place. */
export function applyCredential(placements: readonly CredentialPlacement[], fields: ReadonlyMap<string, Secret>, headers: Headers, url: URL): void {
  for (const placement of placements) {
    if (placement.in === "header") headers.set(placement.name, render(placement.value, fields));
    else if (placement.in === "query") url.searchParams.set(placement.name, render(placement.value, fields));
    else {
      const username = render(placement.username, fields);
      if (username.includes(":")) throw new VaultCallError("invalid_upstream_url", "A basic-auth user name cannot contain a colon.");
      headers.set("authorization", `Basic ${Buffer.from(`${username}:${render(placement.password, fields)}`, "utf8").toString("base64")}`);
    }
  }
}

/** Every value a response must not echo: the secret fields (their base64 inside a basic-auth pair is found by the scrub too). */
export function secretValues(fields: ReadonlyMap<string, Secret>, secret: readonly string[]): string[] {
  return secret.flatMap((name) => {
    const field = fields.get(name);
    return field ? [revealSecret(field)] : [];
  });
}
