"use client";
// Registering an agent: its name, what it is for, and how it will prove who it is (a client secret
// the vault shows once, and/or public keys for private_key_jwt). The same schema as the handler
// checks the input first, so most mistakes are explained before anything is sent.
import { useId, useState, type FormEvent } from "react";

import { useRegisterAgent } from "@/lib/agents/queries";
import { createAgentBody, type RegisterAgentAnswer } from "@/lib/agents/schemas";
import type { z } from "zod";

/** A pasted JWKS, or a single pasted JWK taken as a set of one; a sentence when it is not JSON. */
function readJwks(text: string): unknown | string | undefined {
  if (!text.trim()) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'The public JWKS is not valid JSON: paste the JSON of your agent\'s public key set, such as {"keys": [...]}.';
  }
  if (value && typeof value === "object" && "kty" in value) return { keys: [value] };
  return value;
}

/** A schema problem in the words of the form's own fields ("Key 1 of the public JWKS ..."). */
function formSentence(issue: z.core.$ZodIssue): string {
  const [first, second, third, index, ...rest] = issue.path;
  let subject = "The agent";
  if (first === "name") subject = "The name";
  else if (first === "description") subject = "The description";
  else if (second === "jwksUri") subject = "The JWKS URL";
  else if (second === "jwks" && third === "keys" && typeof index === "number") {
    subject = `Key ${index + 1} of the public JWKS${rest.length ? ` ("${rest.join(".")}")` : ""}`;
  } else if (second === "jwks") subject = "The public JWKS";
  const text = issue.code === "invalid_type" && issue.input === undefined ? "is missing" : issue.message;
  return `${subject} ${text.charAt(0).toLowerCase()}${text.slice(1)}.`;
}

export function RegisterAgentForm({ onRegistered }: { onRegistered: (answer: RegisterAgentAnswer) => void }) {
  const register = useRegisterAgent();
  const ids = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [secret, setSecret] = useState(true);
  const [jwksText, setJwksText] = useState("");
  const [jwksUri, setJwksUri] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    register.reset();
    const jwks = readJwks(jwksText);
    if (typeof jwks === "string") {
      setInvalid(jwks);
      return;
    }
    const parsed = createAgentBody.safeParse({
      name,
      description,
      credentials: { secret, ...(jwks !== undefined ? { jwks } : {}), ...(jwksUri.trim() ? { jwksUri } : {}) },
    });
    if (!parsed.success) {
      setInvalid(parsed.error.issues.slice(0, 3).map(formSentence).join(" "));
      return;
    }
    setInvalid(null);
    register.mutate(parsed.data, {
      onSuccess: (answer) => {
        setName("");
        setDescription("");
        setSecret(true);
        setJwksText("");
        setJwksUri("");
        onRegistered(answer);
      },
    });
  }

  const error = invalid ?? register.error?.message ?? null;
  return (
    <form onSubmit={submit} className="stack agent-form" aria-label="Register an agent">
      <label>
        Name
        <input value={name} onChange={(e) => setName(e.target.value)} maxLength={80} required autoComplete="off" />
      </label>
      {/* Textareas sit beside their label, not inside it: a textarea's text would otherwise join the label's. */}
      <div className="field-pair">
        <label htmlFor={`${ids}-description`}>Description</label>
        <textarea id={`${ids}-description`} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} rows={2} />
      </div>
      <fieldset>
        <legend>How the agent signs in</legend>
        <label className="check">
          <input type="checkbox" checked={secret} onChange={(e) => setSecret(e.target.checked)} aria-describedby={`${ids}-secret`} />
          Client secret
        </label>
        <p id={`${ids}-secret`} className="note">
          The vault makes a secret and shows it to you once; it keeps only a hash.
        </p>
        <div className="field-pair">
          <label htmlFor={`${ids}-jwks`}>Public JWKS</label>
          <textarea
            id={`${ids}-jwks`}
            value={jwksText}
            onChange={(e) => setJwksText(e.target.value)}
            rows={4}
            spellCheck={false}
            aria-describedby={`${ids}-keys`}
          />
        </div>
        <label>
          JWKS URL
          <input
            type="url"
            value={jwksUri}
            onChange={(e) => setJwksUri(e.target.value)}
            placeholder="https://agent.example.com/.well-known/jwks.json"
            aria-describedby={`${ids}-keys`}
          />
        </label>
        <p id={`${ids}-keys`} className="note">
          Optional, for <code>private_key_jwt</code>: paste the agent&apos;s public keys (Ed25519, P-256 or RSA of 2048 bits or more), or give the https address
          where it publishes them, not both. Never paste a private key.
        </p>
      </fieldset>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={register.isPending}>
          {register.isPending ? "Registering…" : "Register agent"}
        </button>
      </div>
    </form>
  );
}
