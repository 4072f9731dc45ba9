import "server-only";
// next-auth v4 configuration. Demo mode signs in through the credentials provider "demo" (the
// demo people of CONTRACT.md); production signs in through the corporate OIDC issuer, whose
// claims map to tenant and role. Demo sign-in does not exist outside demo mode.
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { env } from "@/lib/env";
import type { OidcConfig } from "@/lib/env/schema";
import { log } from "@/lib/log";
import { toArnPart } from "@/lib/tenancy/arn";
import { findDemoPerson } from "@/lib/tenancy/demo-people";
import { upsertDemoPerson, upsertPerson, type Person } from "@/lib/tenancy/people";

type OidcProfile = Record<string, unknown> & { sub: string; email?: string; name?: string };

function claim(profile: OidcProfile, name: string): unknown {
  // Dotted claim names reach into nested claims, e.g. "realm_access.roles".
  return name.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), profile);
}

export function personFromOidcClaims(profile: OidcProfile, oidc: OidcConfig): Omit<Person, "arn"> & { tenantName: string; subject: string } {
  const tenantRaw = claim(profile, oidc.tenantClaim);
  if (typeof tenantRaw !== "string" || !tenantRaw.trim()) {
    throw new Error(`The identity provider sent no "${oidc.tenantClaim}" claim, so the portal cannot tell which tenant you belong to.`);
  }
  const roles = claim(profile, oidc.roleClaim);
  const roleList = Array.isArray(roles) ? roles.map(String) : typeof roles === "string" ? roles.split(/[ ,]+/) : [];
  const tenantId = toArnPart(tenantRaw);
  return {
    id: toArnPart(profile.sub),
    subject: profile.sub,
    tenantId,
    tenantName: tenantRaw,
    email: String(profile.email ?? `${profile.sub}@${tenantId}`),
    name: String(profile.name ?? profile.email ?? profile.sub),
    role: roleList.some((r) => oidc.adminValues.includes(r)) ? "admin" : "user",
  };
}

function oidcProvider(oidc: OidcConfig): OAuthConfig<OidcProfile> {
  return {
    id: "oidc",
    name: "your company account",
    type: "oauth",
    wellKnown: `${oidc.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state", "nonce"],
    async profile(profile) {
      const person = await upsertPerson(personFromOidcClaims(profile, oidc));
      return { id: person.arn, email: person.email, name: person.name };
    },
  };
}

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
