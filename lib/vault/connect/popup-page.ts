import "server-only";
// The last page of a popup connect flow: it tells the opener the outcome with postMessage to the
// portal's exact origin (never "*"), echoing the nonce the opener chose so the opener can ignore
// messages from anything else, then closes itself.

/** The page's HTML; the callback route serves it (text/html, no-store). */
export function popupCompletionHtml(
  origin: string,
  message: { status: "connected" | "failed"; connectionId?: string; code?: string; provider?: string; nonce: string },
): string {
  const payload = JSON.stringify({ type: "vault:connect", ...message }).replace(/</g, "\\u003c");
  const target = JSON.stringify(origin).replace(/</g, "\\u003c");
  return `<!doctype html><meta charset="utf-8"><title>${message.status === "connected" ? "Connected" : "Not connected"}</title><p>You can close this window.</p><script>
if (window.opener) { window.opener.postMessage(${payload}, ${target}); window.close(); } else { location.replace("/connections"); }
</script>`;
}
