import "server-only";
// The browser binding of a connect flow: a random value in an httpOnly cookie whose hash is stored
// with the pending authorization. The cookie name carries a prefix of the state's hash so several
// flows can run in one browser at once.
import { createHash } from "node:crypto";
import { env } from "@/lib/env";

export function bindingCookieName(state: string): string {
  return `vault_connect_${createHash("sha256").update(state).digest("hex").slice(0, 12)}`;
}

export function bindingCookieOptions(maxAgeSeconds: number) {
  return { httpOnly: true, sameSite: "lax" as const, secure: env().nextauthUrl.startsWith("https:"), path: "/api/oauth/callback", maxAge: maxAgeSeconds };
}
