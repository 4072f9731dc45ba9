"use client";
// An admin adds an OAuth 2.0 provider the catalogue does not know. The same schema as the handler
// checks the form first, so most mistakes are named next to the form without a round trip.
import { useState, type FormEvent } from "react";

import { describeIssues } from "@/lib/describe-issues";
import { genericProviderBody } from "@/lib/providers/client-schemas";
import { useAddGenericProvider } from "@/lib/providers/queries";

const LABELS: Record<string, string> = {
  key: "Key",
  name: "Name",
  description: "Description",
  authorizationUrl: "Authorization URL",
  tokenUrl: "Token URL",
  revocationUrl: "Revocation URL",
  userinfoUrl: "Account info URL",
  apiBaseUrl: "API base URL",
  accountIdPath: "Account ID field",
  accountLabelPath: "Account name field",
  scopes: "Scopes",
  clientId: "Client ID",
  clientSecret: "Client secret",
};

/** `Field "tokenUrl" must...` -> `"Token URL" must...`: the words on the form, not the JSON names. */
function withLabels(sentence: string): string {
  return sentence.replace(/Field "([A-Za-z]+)((?:\[\d+\])?[^"]*)"/g, (_m, field: string, rest: string) => `"${LABELS[field] ?? field}${rest}"`);
}

/** "name Description words" per line: the first word is the scope, the rest says what it allows. */
function parseScopes(text: string): { name: string; description?: string }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [name = "", ...words] = line.split(/\s+/);
      return words.length > 0 ? { name, description: words.join(" ") } : { name };
    });
}

function text(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

const FIELDS: [name: string, label: string, hint?: string][] = [
  ["key", "Key", "Lowercase letters, digits and dashes, e.g. acme-crm"],
  ["name", "Name"],
  ["description", "Description", "Optional"],
  ["authorizationUrl", "Authorization URL"],
  ["tokenUrl", "Token URL"],
  ["revocationUrl", "Revocation URL", "Optional; lets Disconnect revoke tokens at the provider"],
  ["userinfoUrl", "Account info URL", "OIDC userinfo or a /me endpoint"],
  ["accountIdPath", "Account ID field", "Default: sub"],
  ["accountLabelPath", "Account name field", "Default: email"],
  ["apiBaseUrl", "API base URL"],
];

export function GenericProviderForm() {
  const add = useAddGenericProvider();
  const [invalid, setInvalid] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAdded(null);
    const element = event.currentTarget;
    const form = new FormData(element);
    const optional = (name: string) => text(form, name).trim() || undefined;
    const candidate = {
      key: text(form, "key"),
      name: text(form, "name"),
      description: optional("description"),
      authorizationUrl: text(form, "authorizationUrl"),
      tokenUrl: text(form, "tokenUrl"),
      revocationUrl: optional("revocationUrl"),
      userinfoUrl: text(form, "userinfoUrl"),
      accountIdPath: optional("accountIdPath"),
      accountLabelPath: optional("accountLabelPath"),
      apiBaseUrl: text(form, "apiBaseUrl"),
      scopes: parseScopes(text(form, "scopes")),
      scopeSeparator: text(form, "scopeSeparator") === "," ? "," : " ",
      tokenAuthMethod: text(form, "tokenAuthMethod") === "client_secret_post" ? "client_secret_post" : "client_secret_basic",
      pkce: form.get("pkce") === "on",
      supportsRefresh: form.get("supportsRefresh") === "on",
      clientId: text(form, "clientId"),
      clientSecret: text(form, "clientSecret"),
    } as const;
    const parsed = genericProviderBody.safeParse(candidate);
    if (!parsed.success) {
      setInvalid(withLabels(describeIssues(parsed.error.issues, "form")));
      return;
    }
    setInvalid(null);
    // The parsed body is sent as the form filled it in; the handler applies the same defaults.
    add.mutate(candidate, {
      onSuccess: ({ key }) => {
        element.reset();
        setAdded(key);
      },
    });
  }

  const error = invalid ?? (add.error ? withLabels(add.error.message) : null);
  return (
    <form onSubmit={submit} className="stack" aria-label="Add a generic OAuth 2.0 provider" noValidate>
      {FIELDS.map(([name, label, hint]) => (
        <label key={name}>
          {label}
          {hint && <span className="note"> ({hint})</span>}
          <input name={name} autoComplete="off" />
        </label>
      ))}
      <label>
        Scopes <span className="note">(one per line: the scope, a space, then what it allows)</span>
        <textarea name="scopes" rows={4} />
      </label>
      <label>
        Scope separator
        <select name="scopeSeparator" defaultValue=" ">
          <option value=" ">Space (standard)</option>
          <option value=",">Comma</option>
        </select>
      </label>
      <label>
        Client authentication
        <select name="tokenAuthMethod" defaultValue="client_secret_basic">
          <option value="client_secret_basic">HTTP Basic (client_secret_basic)</option>
          <option value="client_secret_post">In the form body (client_secret_post)</option>
        </select>
      </label>
      <label className="check">
        <input type="checkbox" name="pkce" defaultChecked /> <span>Use PKCE</span>
      </label>
      <label className="check">
        <input type="checkbox" name="supportsRefresh" defaultChecked /> <span>Issues refresh tokens</span>
      </label>
      <label>
        Client ID
        <input name="clientId" autoComplete="off" />
      </label>
      <label>
        Client secret
        <input name="clientSecret" type="password" autoComplete="new-password" />
      </label>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {added && (
        <p className="banner ok" role="status">
          Added &quot;{added}&quot;. The secret is stored encrypted and cannot be shown again.
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={add.isPending}>
          {add.isPending ? "Adding…" : "Add provider"}
        </button>
      </div>
    </form>
  );
}
