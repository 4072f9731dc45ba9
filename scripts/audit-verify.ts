// npm run audit:verify - re-walks every tenant's audit hash chain and exits 1 naming the first
// broken row (2 when the database cannot be opened), 0 when every chain holds.
import { createPrismaClient, type DbHandle } from "@/lib/db";
import { loadConfig } from "@/lib/env/schema";
import { verifyAllChains } from "@/lib/audit/verify";

async function main(): Promise<number> {
  if (process.argv.includes("--help")) {
    console.log("Usage: npm run audit:verify\nRe-checks each tenant's audit hash chain; exits non-zero naming the first broken row.");
    return 0;
  }
  let db: DbHandle;
  try {
    db = await createPrismaClient(loadConfig(process.env).database);
  } catch (error) {
    console.error(`Could not open the database: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  try {
    const reports = await verifyAllChains(db.prisma);
    if (reports.length === 0) console.log("No audit events yet: nothing to verify.");
    let broken = 0;
    for (const r of reports) {
      if (r.break) {
        broken++;
        console.error(`Tenant ${r.tenantId}: BROKEN at row seq ${r.break.seq} (id ${r.break.id}): ${r.break.reason}. ${r.rows} rows before it verify.`);
      } else {
        console.log(`Tenant ${r.tenantId}: ${r.rows} rows, chain intact (last hash ${r.lastHash.slice(0, 16)}…).`);
      }
    }
    return broken === 0 ? 0 : 1;
  } finally {
    await db.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`audit:verify failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
