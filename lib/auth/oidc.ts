import "server-only";
// Production sign-in through the organisation's OpenID Connect provider (next-auth v4's OAuth
// provider type). The person's tenant and role come from two claims an administrator names
// (OIDC_TENANT_CLAIM, OIDC_ROLE_CLAIM). They are read from the verified ID token and, where the ID
// token lacks one (many providers put profile claims only in the userinfo answer), from userinfo,
// whose `sub` openid-client checks against the ID token's. A sign-in whose claims still lack one is
// refused with a sign-in page that names the missing claim and the setting that maps it; the log
// names them too, and the names (never the values) of the claims that did arrive.
import type { OAuthConfig } from "next-auth/providers/oauth";

import type { OidcConfig } from "@/lib/env/schema";
import { log } from "@/lib/log";
import { toArnPart } from "@/lib/tenancy/arn";
import { upsertPerson, type Person } from "@/lib/tenancy/people";

export type OidcProfile = Record<string, unknown> & { sub: string; email?: string; name?: string };
export type MissingClaim = "tenant" | "role";

/** What the sign-in page is sent when a claim is missing: `/signin?error=MissingClaim&claim=tenant`. */
export const MISSING_CLAIM_ERROR = "MissingClaim";
/** The user id a refused sign-in carries from profile() to the signIn callback (never stored). */
const MISSING_PREFIX = "missing-claim:";

function claim(profile: Record<string, unknown>, name: string): unknown {
  // Dotted claim names reach into nested claims, e.g. "realm_access.roles".
  return name.split(".").reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), profile);
}

/** Which of the two mapped claims these claims lack (a tenant must be a non-empty string; a role claim must be present, even empty). */
export function missingClaim(profile: Record<string, unknown>, oidc: Pick<OidcConfig, "tenantClaim" | "roleClaim">): MissingClaim | null {
  const tenant = claim(profile, oidc.tenantClaim);
  if (typeof tenant !== "string" || !tenant.trim()) return "tenant";
  if (claim(profile, oidc.roleClaim) === undefined) return "role";
  return null;
}

export function personFromOidcClaims(profile: OidcProfile, oidc: OidcConfig): Omit<Person, "arn"> & { tenantName: string; subject: string } {
  if (missingClaim(profile, oidc) === "tenant") {
    throw new Error(`The identity provider sent no "${oidc.tenantClaim}" claim, so the portal cannot tell which tenant you belong to.`);
  }
  const tenantRaw = claim(profile, oidc.tenantClaim) as string;
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

/** The setting that names a claim, for sentences and the log. */
export function claimSetting(which: MissingClaim): "OIDC_TENANT_CLAIM" | "OIDC_ROLE_CLAIM" {
  return which === "tenant" ? "OIDC_TENANT_CLAIM" : "OIDC_ROLE_CLAIM";
}

/** The sign-in page's sentence for a refused company sign-in: which claim was missing, and the setting that maps it. */
export function missingClaimSentence(which: MissingClaim, oidc: Pick<OidcConfig, "tenantClaim" | "roleClaim"> | undefined): string {
  const name = which === "role" ? (oidc?.roleClaim ?? "roles") : (oidc?.tenantClaim ?? "tenant");
  const what = which === "role" ? "your role" : "which organisation you belong to";
  const extra = which === "role" ? " (and OIDC_ADMIN_VALUES for the values that mean administrator)" : "";
  return (
    `Your company's sign-in did not say ${what}: the identity provider sent no "${name}" claim, in the ID token or at userinfo. ` +
    `An administrator maps the claim that carries it with the setting ${claimSetting(which)}${extra}.`
  );
}

type Tokens = { claims(): Record<string, unknown>; access_token?: string };
type UserinfoClient = { userinfo(tokens: Tokens): Promise<Record<string, unknown>> };

export function oidcProvider(oidc: OidcConfig): OAuthConfig<OidcProfile> {
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
    userinfo: {
      // The ID token (already verified) first; userinfo only when it lacks a mapped claim. Claims the
      // ID token has win over userinfo's.
      async request({ tokens, client }) {
        const fromIdToken = (tokens as unknown as Tokens).claims();
        if (!missingClaim(fromIdToken, oidc) || !tokens.access_token) return fromIdToken as OidcProfile;
        const fromUserinfo = await (client as unknown as UserinfoClient).userinfo(tokens as unknown as Tokens);
        return { ...fromUserinfo, ...fromIdToken } as OidcProfile;
      },
    },
    async profile(profile) {
      const missing = missingClaim(profile, oidc);
      if (missing) {
        const name = missing === "tenant" ? oidc.tenantClaim : oidc.roleClaim;
        log.warn(
          { missingClaim: name, setting: claimSetting(missing), claimsReceived: Object.keys(profile).sort() },
          `sign-in refused: the identity provider sent no "${name}" claim (set ${claimSetting(missing)} to the claim that carries it)`,
        );
        return { id: `${MISSING_PREFIX}${missing}`, email: null, name: null };
      }
      const person = await upsertPerson(personFromOidcClaims(profile, oidc));
      return { id: person.arn, email: person.email, name: person.name };
    },
  };
}

/** The signIn callback's answer: true, or where to send a sign-in whose claims lacked one. */
export function signInOutcome(userId: string | undefined): true | string {
  if (!userId?.startsWith(MISSING_PREFIX)) return true;
  const which = userId.slice(MISSING_PREFIX.length) === "role" ? "role" : "tenant";
  return `/signin?error=${MISSING_CLAIM_ERROR}&claim=${which}`;
}
