import "server-only";
// The catalogue one tenant sees: built-ins, the bundled demo provider (demo mode), the operator's
// VAULT_PROVIDERS_FILE entries, and generic providers its admins added. "configured" says whether
// "Connect" can work: the tenant has client credentials for it, or the person pastes the credential.
import { getDb, getSql } from "@/lib/db";
import { env } from "@/lib/env";
import { builtinCatalogue, loadProvidersFile, mergeCatalogue } from "@/lib/providers/catalogue";
import { DEMO_PROVIDER_KEY, demoTasksDefinition } from "@/lib/providers";
import { providerDefinition, type ProviderDefinition, type ProvidersFile } from "@/lib/providers/schemas";

export type TenantProvider = { definition: ProviderDefinition; configured: boolean; source: "builtin" | "demo" | "file" | "generic" };

const cache = globalThis as unknown as { __vaultProvidersFile?: Promise<ProvidersFile | null> };

/** The operator's providers file, read once per process; a broken file stops the portal with a sentence. */
export function providersFile(): Promise<ProvidersFile | null> {
  const path = env().providersFile;
  return (cache.__vaultProvidersFile ??= path ? loadProvidersFile(path) : Promise.resolve(null));
}

export function fileEntriesFor(file: ProvidersFile | null, tenantId: string) {
  if (!file || (file.tenant && file.tenant !== tenantId)) return [];
  return file.providers;
}

type Registration = { key: string; definition: unknown };

function catalogueFor(tenantId: string, file: ProvidersFile | null, registrations: readonly Registration[]): TenantProvider[] {
  const config = env();
  const registered = new Map(registrations.map((r) => [r.key, r.definition]));
  const fileEntries = fileEntriesFor(file, tenantId);
  const fileKeys = new Set(fileEntries.map((e) => e.key));
  const generic = registrations.filter((r) => r.definition !== null).map((r) => providerDefinition.parse(r.definition));
  const merged = mergeCatalogue(builtinCatalogue(), [
    ...fileEntries.map(({ clientId: _c, clientSecret: _s, ...def }) => providerDefinition.parse(def)),
    ...generic,
  ]);
  const providers: TenantProvider[] = merged.map((definition) => ({
    definition,
    // A provider whose credential the person pastes needs no client registered with it.
    configured: definition.credential.type === "api_key" || fileKeys.has(definition.key) || registered.has(definition.key),
    source: fileKeys.has(definition.key) ? "file" : definition.kind === "generic" ? "generic" : "builtin",
  }));
  if (config.demoProvider) {
    providers.unshift({ definition: demoTasksDefinition(config.demoProvider.issuer), configured: true, source: "demo" });
  }
  return providers;
}

export async function listTenantProviders(tenantId: string): Promise<TenantProvider[]> {
  const db = await getDb();
  const [file, registrations] = await Promise.all([
    providersFile(),
    db.providerRegistration.findMany({ where: { tenantId, enabled: true }, select: { key: true, definition: true } }),
  ]);
  return catalogueFor(tenantId, file, registrations);
}

export async function getTenantProvider(tenantId: string, key: string): Promise<TenantProvider | null> {
  return (await listTenantProviders(tenantId)).find((p) => p.definition.key === key) ?? null;
}

// The catalogue of each tenant as of a policy version (a trigger bumps the version whenever a
// registration changes): an action whose facts are at that version builds its request from it.
const catalogues = globalThis as unknown as { __vaultCatalogues?: Map<string, { version: number; providers: TenantProvider[] }> };
const cached = (catalogues.__vaultCatalogues ??= new Map<string, { version: number; providers: TenantProvider[] }>());

const REGISTRATIONS_AT_VERSION = `
SELECT h."policyVersion",
  COALESCE(json_agg(json_build_object('key', r."key", 'definition', r."definition")) FILTER (WHERE r."key" IS NOT NULL), '[]'::json) AS "registrations"
FROM "AuditHead" h LEFT JOIN "ProviderRegistration" r ON r."tenantId" = h."tenantId" AND r."enabled"
WHERE h."tenantId" = $1
GROUP BY h."policyVersion"`;

/** The provider as the tenant's catalogue stood at `policyVersion` (read now when this process holds another version). */
export async function getTenantProviderAt(tenantId: string, key: string, policyVersion: number): Promise<TenantProvider | null> {
  const hit = cached.get(tenantId);
  if (hit && hit.version === policyVersion) return hit.providers.find((p) => p.definition.key === key) ?? null;
  const sql = await getSql();
  const [[row], file] = await Promise.all([
    sql.query<{ policyVersion: number; registrations: Registration[] }>(REGISTRATIONS_AT_VERSION, [tenantId]),
    providersFile(),
  ]);
  if (!row) return getTenantProvider(tenantId, key);
  const providers = catalogueFor(tenantId, file, row.registrations);
  if (cached.size > 10_000) cached.clear();
  cached.set(tenantId, { version: Number(row.policyVersion), providers });
  return providers.find((p) => p.definition.key === key) ?? null;
}

export { DEMO_PROVIDER_KEY };
