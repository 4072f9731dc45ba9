// Optimistic redirect of signed-out visitors to the sign-in page. This is a convenience, not the
// security check: every data function re-checks the session and tenant itself (lib/auth/session.ts).
import { NextResponse, type NextRequest } from "next/server";

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function proxy(request: NextRequest) {
  const signedIn = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (signedIn) return NextResponse.next();
  const url = request.nextUrl.clone();
  url.pathname = "/signin";
  url.search = "";
  url.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(url);
}

export const config = {
  // Portal pages only: API routes answer 401 problems themselves, and the sign-in page is public.
  matcher: ["/", "/connections/:path*", "/agents/:path*", "/audit/:path*", "/delegations/:path*", "/providers/:path*"],
};
