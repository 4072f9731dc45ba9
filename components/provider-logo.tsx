// A provider's logo beside its name. Only providers with their own folder (lib/providers/<key>/)
// have one; a provider an administrator added, or one from the operator's file, shows none.
// Decorative (empty alt): the name is always written next to it. Usable from server and client
// components alike, since it reads only the client-safe metadata.
import { providerMeta } from "@/lib/providers/meta";

export function ProviderLogo({ providerKey }: { providerKey: string }) {
  const logo = providerMeta(providerKey)?.logo;
  if (!logo) return null;
  // A 20-pixel SVG from public/: a plain img, next/image would add nothing to it.
  return <img src={logo} alt="" width={20} height={20} className="provider-logo" />;
}
