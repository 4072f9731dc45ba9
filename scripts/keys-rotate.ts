// npm run keys:rotate - re-encrypts every stored credential under the newest master key version.
// Demo mode appends a fresh version to the key file in the data folder first; production uses the
// highest version already in VAULT_MASTER_KEY (the operator adds it to every instance beforehand).
import path from "node:path";

import { createPrismaClient, type DbHandle } from "@/lib/db";
import { addDemoKeyVersion, ensureDemoSecrets, MASTER_KEY_FILE } from "@/lib/env/demo-files";
import { loadConfig } from "@/lib/env/schema";
import { parseKeyRing } from "@/lib/vault/crypto/keyring";
import { countByKeyVersion, ROTATED_TABLES, rotateAllCredentials } from "@/lib/vault/crypto/rotation";

function batchSizeFromArgs(argv: string[]): number | undefined {
  const i = argv.indexOf("--batch-size");
  if (i === -1) return undefined;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error("--batch-size must be a whole number between 1 and 1000.");
  return n;
}

function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? "no stored values" : entries.map(([v, n]) => `version ${v}: ${n}`).join(", ");
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help")) {
    console.log("Usage: npm run keys:rotate [-- --batch-size N]\nRe-encrypts every stored credential under the newest master key version.");
    return 0;
  }
  const batchSize = batchSizeFromArgs(argv);
  const config = loadConfig(process.env);
  const demoKeyFile = config.mode === "demo" && !config.masterKey;
  let spec = demoKeyFile ? ensureDemoSecrets(config.dataDir).masterKey : config.masterKey;
  if (!spec) throw new Error("VAULT_MASTER_KEY is not set: there is no key ring to rotate.");

  // Open the database before touching the key file, so a running demo portal (which holds the
  // embedded database) stops us before a new key version is written.
  let db: DbHandle | null = null;
  try {
    db = await createPrismaClient(config.database);
    let ring = parseKeyRing(spec);
    if (demoKeyFile) {
      const added = addDemoKeyVersion(config.dataDir, spec);
      spec = added.spec;
      ring = parseKeyRing(spec);
      console.log(`Added master key version ${added.version} to ${path.join(config.dataDir, MASTER_KEY_FILE)}.`);
    } else {
      console.log(
        `Re-encrypting under master key version ${ring.current}, the highest in VAULT_MASTER_KEY: add version ${ring.current + 1} to VAULT_MASTER_KEY (on every instance) to rotate to a new key.`,
      );
    }

    const result = await rotateAllCredentials(db.prisma, ring, {
      batchSize,
      onProgress: (table, c) => console.log(`  ${table}: ${c.scanned} scanned, ${c.reencrypted} re-encrypted so far`),
    });
    console.log(`\nRe-encrypted ${result.reencrypted} of ${result.scanned} stored values under version ${ring.current}:`);
    for (const table of ROTATED_TABLES) {
      const c = result.byTable[table];
      console.log(`  ${table.padEnd(22)} ${c.reencrypted} re-encrypted, ${c.skippedConcurrent} changed meanwhile, ${c.failed} failed (of ${c.scanned})`);
    }

    const remaining = await countByKeyVersion(db.prisma);
    console.log("\nStored values per key version now:");
    for (const table of ROTATED_TABLES) console.log(`  ${table.padEnd(22)} ${formatCounts(remaining[table])}`);
    const older = ROTATED_TABLES.flatMap((t) => Object.entries(remaining[t]).filter(([v]) => v !== String(ring.current)));
    const olderTotal = older.reduce((sum, [, n]) => sum + n, 0);

    if (result.skippedConcurrent > 0) {
      console.log(`\n${result.skippedConcurrent} values changed while this ran and were left as they were: run keys:rotate again to finish them.`);
    }
    if (demoKeyFile) console.log("\nRestart the portal so it loads the new key version.");
    if (result.failed > 0) {
      for (const f of result.failures) console.error(`  ${f.table} ${f.rowId}: ${f.reason}`);
      console.error(
        `\n${result.failed} stored values could not be decrypted and were not re-encrypted (listed above): keep every key version in the ring until they are fixed, reconnected or deleted.`,
      );
      return 1;
    }
    console.log(
      olderTotal === 0
        ? `\nNo stored value uses a version older than ${ring.current}: older versions can be removed from the key ring once every instance runs with version ${ring.current}.`
        : `\n${olderTotal} stored values still use older versions: keep those versions in the key ring.`,
    );
    return 0;
  } finally {
    await db?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`Key rotation failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
