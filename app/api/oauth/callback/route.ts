// GET /api/oauth/callback - completes a connect flow, then redirects to the connection's page.
import { NextResponse, type NextRequest } from "next/server";
import { currentPerson } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { auditConnectFailure, completeConnect } from "@/lib/vault/connect/flow";
import { bindingCookieName } from "@/lib/vault/connect/cookie";
import { ConnectError } from "@/lib/vault/connect/errors";
import { popupCompletionHtml } from "@/lib/vault/connect/popup-page";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  const query = req.nextUrl.searchParams;
  const state = query.get("state");
  const cookieName = state ? bindingCookieName(state) : null;
  const finish = (res: NextResponse) => (cookieName && res.cookies.delete({ name: cookieName, path: "/api/oauth/callback" }), res);
  const person = await currentPerson();
  if (!person) return finish(NextResponse.redirect(new URL("/signin?callbackUrl=%2Fconnections", req.nextUrl)));
  try {
    const done = await completeConnect({ person, query, binding: cookieName ? req.cookies.get(cookieName)?.value : undefined });
    if (done.popup) {
      const html = popupCompletionHtml(new URL(env().nextauthUrl).origin, { status: "connected", connectionId: done.connectionId, nonce: done.nonce });
      return finish(new NextResponse(html, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } }));
    }
    return finish(NextResponse.redirect(new URL(`/connections/${done.connectionId}?connected=1`, req.nextUrl)));
  } catch (e) {
    if (!(e instanceof ConnectError)) throw e;
    log.warn({ code: e.code, provider: e.providerKey, person: person.arn }, e.message);
    await auditConnectFailure(person, e);
    if (e.popupNonce) {
      const html = popupCompletionHtml(new URL(env().nextauthUrl).origin, { status: "failed", code: e.code, provider: e.providerKey, nonce: e.popupNonce });
      return finish(new NextResponse(html, { headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" } }));
    }
    const provider = e.providerKey ? `&provider=${encodeURIComponent(e.providerKey)}` : "";
    return finish(NextResponse.redirect(new URL(`/connections?connect_error=${e.code}${provider}`, req.nextUrl)));
  }
}
