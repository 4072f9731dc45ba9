import "server-only";
// Start-up work of the portal's Node process (called from instrumentation.ts).
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { ConfigError } from "@/lib/env/schema";
import { log } from "@/lib/log";

export async function startPortal(): Promise<void> {
  try {
    const config = env();
    await getDb();
    log.info({ mode: config.mode, database: config.database.kind }, "portal ready");
  } catch (e) {
    const sentence = e instanceof ConfigError ? e.message : `The portal could not start: ${(e as Error).message}`;
    log.fatal(sentence);
    console.error(sentence);
    process.exit(1);
  }
}
