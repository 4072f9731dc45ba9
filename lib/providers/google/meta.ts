// Google as the portal shows it, and its tools. Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

const GOOGLE_AUTH = "https://www.googleapis.com/auth";

export const meta: ProviderMeta = {
  key: "google",
  name: "Google",
  description: "Google Calendar, Gmail and Drive for your Google account.",
  logo: "/providers/google.svg",
  tools: [
    {
      name: "google.list_events",
      provider: "google",
      title: "List upcoming events",
      description: "Upcoming events in the primary calendar.",
      write: false,
      anyOfScopes: [`${GOOGLE_AUTH}/calendar.readonly`, `${GOOGLE_AUTH}/calendar.events`],
    },
  ],
};
