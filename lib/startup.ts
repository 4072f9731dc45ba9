import "server-only";
// Start-up work of the portal's Node process (called from instrumentation.ts, Node runtime only).
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { ConfigError } from "@/lib/env/schema";
import { log } from "@/lib/log";
import { startRefreshEngine } from "@/lib/vault/refresh/engine";
import { startWebhookWorker } from "@/lib/webhooks/worker";

/** `refreshEngine: false` (and `webhookWorker: false`) for callers that must not refresh in the background (tests never call this). */
export async function startPortal(opts: { refreshEngine?: boolean; webhookWorker?: boolean } = {}): Promise<void> {
  try {
    const config = env();
    await getDb();
    // After the database is ready: the first sweep reads connections. Its timer is unref'd and
    // stopRefreshEngine() ends it.
    if (opts.refreshEngine !== false) startRefreshEngine();
    // The outbox is in the database: deliveries queued before a restart go out now.
    if (opts.webhookWorker !== false) startWebhookWorker();
    log.info({ mode: config.mode, database: config.database.kind }, "portal ready");
  } catch (e) {
    const sentence = e instanceof ConfigError ? e.message : `The portal could not start: ${(e as Error).message}`;
    log.fatal(sentence);
    console.error(sentence);
    process.exit(1);
  }
}
