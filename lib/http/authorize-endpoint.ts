import "server-only";
// GET /api/oauth/authorize end to end: the outcome of lib/oauth-server/authorize.ts as a redirect or,
// when there is nowhere safe to send the browser, as a small page with the sentence.
import { log } from "@/lib/log";
import { startAuthorization } from "@/lib/oauth-server/authorize";
import { vaultIssuer } from "@/lib/oauth-server/issuer";

const NO_STORE = { "cache-control": "no-store", "referrer-policy": "no-referrer" };

export async function handleAuthorize(req: Request): Promise<Response> {
  try {
    const outcome = await startAuthorization(new URL(req.url).searchParams);
    if (outcome.kind === "consent") return redirect(`${vaultIssuer()}/consent/${outcome.requestId}`);
    if (outcome.kind === "redirect") return redirect(outcome.location);
    return page(outcome.status, outcome.title, outcome.detail);
  } catch (err) {
    log.error({ err }, "authorization request failed");
    return page(500, "Something went wrong", "The vault could not handle this sign-in request: go back to the application and try again.");
  }
}

function redirect(location: string): Response {
  return new Response(null, { status: 302, headers: { location, ...NO_STORE } });
}

function page(status: number, title: string, detail: string): Response {
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"></head>` +
    `<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem">` +
    `<h1 style="font-size:1.4rem">${escape(title)}</h1><p>${escape(detail)}</p></body></html>`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html; charset=utf-8", "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'", ...NO_STORE },
  });
}

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
