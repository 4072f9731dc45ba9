// GET /api/oauth/connect/{provider}?scope=... - starts a connect flow and redirects to the provider.
import { NextResponse, type NextRequest } from "next/server";
import { currentPerson } from "@/lib/auth/session";
import { ConnectError } from "@/lib/vault/connect/errors";
import { startConnect } from "@/lib/vault/connect/flow";
import { bindingCookieName, bindingCookieOptions } from "@/lib/vault/connect/cookie";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest, ctx: { params: Promise<{ provider: string }> }) {
  const { provider } = await ctx.params;
  const back = (query: string) => NextResponse.redirect(new URL(`/connections?${query}`, req.nextUrl));
  const person = await currentPerson();
  if (!person) return NextResponse.redirect(new URL(`/signin?callbackUrl=${encodeURIComponent("/connections")}`, req.nextUrl));
  const scopes = req.nextUrl.searchParams
    .getAll("scope")
    .flatMap((s) => s.split(/[ ,]+/))
    .filter(Boolean);
  const popupNonce = req.nextUrl.searchParams.get("popup") === "1" ? (req.nextUrl.searchParams.get("nonce") ?? "") : undefined;
  if (popupNonce !== undefined && !/^[A-Za-z0-9_-]{16,128}$/.test(popupNonce))
    return back(`connect_error=invalid_request&provider=${encodeURIComponent(provider)}`);
  try {
    const { url, binding, expiresInSeconds } = await startConnect({ person, providerKey: provider, scopes, popupNonce });
    const res = NextResponse.redirect(url, 302);
    res.cookies.set(bindingCookieName(url.searchParams.get("state")!), binding, bindingCookieOptions(expiresInSeconds));
    return res;
  } catch (e) {
    if (e instanceof ConnectError) return back(`connect_error=${e.code}&provider=${encodeURIComponent(provider)}`);
    throw e;
  }
}
