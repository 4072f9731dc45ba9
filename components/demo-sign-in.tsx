"use client";
// Demo mode's sign-in: one button per demo person (next-auth credentials provider "demo").
import { signIn } from "next-auth/react";
import { useState } from "react";

export type DemoPersonCard = { email: string; name: string; role: "user" | "admin"; tenantName: string };

export function DemoSignIn({ people, callbackUrl }: { people: DemoPersonCard[]; callbackUrl: string }) {
  const [pending, setPending] = useState<string | null>(null);
  return (
    <ul className="people">
      {people.map((p) => (
        <li key={p.email}>
          <button
            type="button"
            disabled={pending !== null}
            onClick={() => {
              setPending(p.email);
              void signIn("demo", { email: p.email, callbackUrl });
            }}
          >
            <span>
              <strong>{p.name}</strong>
              <br />
              <span className="note">
                {p.email} · {p.tenantName}
              </span>
            </span>
            <span className={p.role === "admin" ? "badge admin" : "badge"}>{pending === p.email ? "Signing in…" : p.role}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function CompanySignIn({ callbackUrl }: { callbackUrl: string }) {
  return (
    <button type="button" className="primary" onClick={() => void signIn("oidc", { callbackUrl })}>
      Sign in with your company account
    </button>
  );
}
