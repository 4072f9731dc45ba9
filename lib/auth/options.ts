import "server-only";
// next-auth v4 configuration. Demo mode signs in through the credentials provider "demo" (the
// demo people of CONTRACT.md); production signs in through the corporate OIDC issuer, whose
// claims map to tenant and role (lib/auth/oidc.ts). Demo sign-in does not exist outside demo mode.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { findDemoPerson } from "@/lib/tenancy/demo-people";
import { upsertDemoPerson } from "@/lib/tenancy/people";

import { oidcProvider, signInOutcome } from "./oidc";

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  if (cached) return cached;
  const config = env();
  const providers: NextAuthOptions["providers"] =
    config.mode === "demo"
      ? [
          CredentialsProvider({
            id: "demo",
            name: "Demo people",
            credentials: { email: { label: "Email", type: "email" } },
            async authorize(credentials) {
              const person = findDemoPerson(credentials?.email);
              if (!person) return null;
              const saved = await upsertDemoPerson(person);
              return { id: saved.arn, email: saved.email, name: saved.name };
            },
          }),
        ]
      : [oidcProvider(config.oidc!)];

  cached = {
    secret: config.nextauthSecret,
    session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    // The session token carries only the person's ARN; tenant and role are re-read from the
    // database on every request (lib/auth/session.ts), so a role change applies at once.
    callbacks: {
      // A company sign-in whose claims lack the tenant or role goes back to the sign-in page, which names the claim.
      async signIn({ user }) {
        return signInOutcome(user?.id);
      },
      async jwt({ token, user }) {
        if (user) token.sub = user.id;
        return token;
      },
      async session({ session, token }) {
        return { ...session, arn: token.sub };
      },
    },
    logger: {
      error: (code, metadata) => log.error({ code, metadata }, "sign-in error"),
      warn: (code) => log.warn({ code }, "sign-in warning"),
      debug: () => undefined,
    },
  };
  return cached;
}
