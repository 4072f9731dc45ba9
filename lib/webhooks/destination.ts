import "server-only";
// Where webhooks may point: outside destinations, held to the same SSRF rules as every URL someone
// hands the vault (lib/net/public-fetch.ts): https only, every address of the host public; plain
// http and loopback only in demo mode, so a local receiver works there and nowhere else. Checked
// when a webhook is saved (a clear 400) and again, by fetchPublic itself, on every delivery, since
// a name can start resolving elsewhere after it was saved.
import { env } from "@/lib/env";
import { BadRequestError } from "@/lib/errors";
import { checkPublicDestination, PublicFetchError } from "@/lib/net/public-fetch";

export const DELIVERY_TIMEOUT_MS = 10_000;

export function allowLoopbackWebhooks(): boolean {
  return env().mode === "demo";
}

/** The URL, parsed, once it is a destination the vault may deliver to; a BadRequestError with a sentence otherwise. */
export async function checkWebhookUrl(raw: string): Promise<URL> {
  const url = new URL(raw);
  try {
    await checkPublicDestination(url, { allowLoopback: allowLoopbackWebhooks(), timeoutMs: 5_000 });
  } catch (e) {
    if (e instanceof PublicFetchError)
      throw new BadRequestError(`The webhook URL was refused: ${e.message}. Use a public https address.`, "webhook_url_refused");
    throw e;
  }
  return url;
}
