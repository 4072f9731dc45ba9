"use client";
// An admin adds a provider the catalogue does not know: an OAuth 2.0 one (with the client registered
// with it), or one whose API key each person pastes (no client; the admin says where the key goes).
// The same schema and conversion as the handler check the form first, so most mistakes are named
// next to the form without a round trip; the handler's sentence is shown for the rest.
import { useState, type FormEvent } from "react";

import { describeIssues } from "@/lib/describe-issues";
import { genericOAuthProviderBody } from "@/lib/providers/client-schemas";
import { useAddGenericProvider } from "@/lib/providers/queries";
import { genericApiKeyDefinition, type GenericApiKeyProviderFormValues } from "@/lib/providers/schemas";

type Kind = "oauth2" | "api_key";
type Placement = GenericApiKeyProviderFormValues["placement"];

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
  credential: "How people connect",
  placement: "Where the key goes",
  parameterName: "Header or parameter name",
  prefix: "Value prefix",
  keyPattern: "Key format",
  keyHint: "What a key looks like",
  showLastFour: "Show last four",
  verifyPath: "Key check path",
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

const PLACEMENTS: [value: Placement, words: string][] = [
  ["bearer", "Authorization: Bearer <key>"],
  ["header", "A header you name (x-api-key, or Authorization with a prefix such as Token)"],
  ["query", "A query parameter you name (?api_key=<key>)"],
  ["basic", "HTTP basic auth: the key as user name, an empty password (as Stripe takes it)"],
];

/** The API-key form's values as the handler takes them; fields the placement does not use are left out. */
function apiKeyCandidate(form: FormData): GenericApiKeyProviderFormValues {
  const optional = (name: string) => text(form, name).trim() || undefined;
  const placement = (text(form, "placement") || "bearer") as Placement;
  const prefix = text(form, "prefix").replace(/^\s+/, "");
  return {
    credential: "api_key",
    key: text(form, "key"),
    name: text(form, "name"),
    description: optional("description"),
    apiBaseUrl: text(form, "apiBaseUrl"),
    placement,
    parameterName: placement === "header" || placement === "query" ? text(form, "parameterName") : undefined,
    // Kept as typed (its trailing space matters): `Token ` puts `Token <key>` in the header.
    prefix: placement === "header" && prefix ? prefix : undefined,
    keyPattern: optional("keyPattern"),
    keyHint: optional("keyHint"),
    showLastFour: form.get("showLastFour") === "on",
    verifyPath: optional("verifyPath"),
    accountIdPath: optional("accountIdPath"),
    accountLabelPath: optional("accountLabelPath"),
  };
}

export function GenericProviderForm() {
  const add = useAddGenericProvider();
  const [kind, setKind] = useState<Kind>("oauth2");
  const [placement, setPlacement] = useState<Placement>("bearer");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [added, setAdded] = useState<{ key: string; kind: Kind } | null>(null);

  function choose(next: Kind) {
    setKind(next);
    setInvalid(null);
    setAdded(null);
    add.reset();
  }

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAdded(null);
    const element = event.currentTarget;
    const form = new FormData(element);
    const done = {
      onSuccess: ({ key }: { key: string }) => {
        element.reset();
        setPlacement("bearer");
        setAdded({ key, kind });
      },
    };
    if (kind === "api_key") {
      const candidate = apiKeyCandidate(form);
      const checked = genericApiKeyDefinition(candidate);
      if (!checked.success) {
        setInvalid(withLabels(describeIssues(checked.issues, "form")));
        return;
      }
      setInvalid(null);
      add.mutate(candidate, done);
      return;
    }
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
    const parsed = genericOAuthProviderBody.safeParse(candidate);
    if (!parsed.success) {
      setInvalid(withLabels(describeIssues(parsed.error.issues, "form")));
      return;
    }
    setInvalid(null);
    // The parsed body is sent as the form filled it in; the handler applies the same defaults.
    add.mutate(candidate, done);
  }

  const error = invalid ?? (add.error ? withLabels(add.error.message) : null);
  const named = placement === "header" || placement === "query";
  return (
    <form onSubmit={submit} className="stack agent-form" aria-label="Add a generic provider" noValidate>
      <fieldset>
        <legend>How people connect it</legend>
        <label className="check">
          <input type="radio" name="credential" value="oauth2" checked={kind === "oauth2"} onChange={() => choose("oauth2")} />
          <span>OAuth 2.0: they sign in at the provider (you register a client with it first)</span>
        </label>
        <label className="check">
          <input type="radio" name="credential" value="api_key" checked={kind === "api_key"} onChange={() => choose("api_key")} />
          <span>API key: each person pastes a key of their own (no client to register)</span>
        </label>
      </fieldset>
      {kind === "oauth2" ? (
        <OAuthFields />
      ) : (
        <>
          <TextFields only={["key", "name", "description", "apiBaseUrl"]} />
          <label>
            Where the key goes on each call
            <select name="placement" value={placement} onChange={(e) => setPlacement(e.target.value as Placement)}>
              {PLACEMENTS.map(([value, words]) => (
                <option key={value} value={value}>
                  {words}
                </option>
              ))}
            </select>
          </label>
          {named && (
            <label>
              {placement === "header" ? "Header name" : "Query parameter name"}
              <span className="note"> ({placement === "header" ? "e.g. x-api-key or authorization" : "e.g. api_key"})</span>
              <input name="parameterName" autoComplete="off" />
            </label>
          )}
          {placement === "header" && (
            <label>
              Value prefix
              <span className="note"> (optional; written before the key exactly as typed, so include the space: &quot;Token &quot;)</span>
              <input name="prefix" autoComplete="off" />
            </label>
          )}
          <label>
            Key format <span className="note">(optional regular expression, checked before a key is sent anywhere, e.g. ^acme_[A-Za-z0-9]{"{32}"}$)</span>
            <input name="keyPattern" autoComplete="off" spellCheck={false} />
          </label>
          <label>
            What a key looks like <span className="note">(optional, shown in the empty input, e.g. acme_...)</span>
            <input name="keyHint" autoComplete="off" />
          </label>
          <label className="check">
            <input type="checkbox" name="showLastFour" />{" "}
            <span>Show the last four characters of each key (only if they say nothing secret in this provider&apos;s format)</span>
          </label>
          <label>
            Key check path <span className="note">(optional harmless GET relative to the API base URL, e.g. /me; a key it refuses is not stored)</span>
            <input name="verifyPath" autoComplete="off" />
          </label>
          <label>
            Account ID field <span className="note">(optional, in the key check&apos;s JSON answer, e.g. id)</span>
            <input name="accountIdPath" autoComplete="off" />
          </label>
          <label>
            Account name field <span className="note">(optional, in the key check&apos;s JSON answer, e.g. name)</span>
            <input name="accountLabelPath" autoComplete="off" />
          </label>
          <p className="note">
            Connections to it hold one permission, &quot;api&quot;: everything the key allows. Limit what agents send with each agent&apos;s methods and paths.
          </p>
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {added && (
        <p className="banner ok" role="status">
          {added.kind === "api_key"
            ? `Added "${added.key}". People can now paste their key for it on the Connections page.`
            : `Added "${added.key}". The secret is stored encrypted and cannot be shown again.`}
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

/** The OAuth 2.0 provider's fields, as the form has always had them. */
/** The form's plain text inputs, each with its label and hint: all of them, or only the named ones. */
function TextFields({ only }: { only?: readonly string[] }) {
  return (
    <>
      {FIELDS.filter(([name]) => !only || only.includes(name)).map(([name, label, hint]) => (
        <label key={name}>
          {label}
          {hint && <span className="note"> ({hint})</span>}
          <input name={name} autoComplete="off" />
        </label>
      ))}
    </>
  );
}

function OAuthFields() {
  return (
    <>
      <TextFields />
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
    </>
  );
}
