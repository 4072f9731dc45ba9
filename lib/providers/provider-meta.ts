// What the portal may know of a provider that has its own folder (lib/providers/<key>/meta.ts):
// its name, description, logo and tools. Client-safe, so pages and client components import it;
// the definition with its URLs and token settings stays in the folder's server-only provider.ts.
import type { ProxyScopeRule, ToolMeta } from "@/lib/tools/tool";

export type ProviderMeta = {
  key: string;
  name: string;
  description: string;
  /** Its logo, a small SVG under public/ (`/providers/<key>.svg`), shown beside its name; without one the name stands alone. */
  logo?: string;
  /** Its tools; each name is `<key>.operation`. */
  tools: readonly ToolMeta[];
  /** Which scopes a raw proxy call needs, by method and path; without rules any delegated scope will do. */
  proxyScopeRules?: readonly ProxyScopeRule[];
};
