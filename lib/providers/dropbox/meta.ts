// Dropbox as the portal shows it. It has no tools yet: agents reach it through the raw proxy.
// Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "dropbox",
  name: "Dropbox",
  description: "Files and folders in your Dropbox.",
  logo: "/providers/dropbox.svg",
  tools: [],
};
