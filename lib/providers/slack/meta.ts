// Slack as the portal shows it, and its tools. Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "slack",
  name: "Slack",
  description: "Read channels and post messages in Slack as you (user token).",
  logo: "/providers/slack.svg",
  tools: [
    {
      name: "slack.post_message",
      provider: "slack",
      title: "Post a message",
      description: "Post a message to a channel as the person.",
      write: true,
      anyOfScopes: ["chat:write"],
    },
    {
      name: "slack.set_status",
      provider: "slack",
      title: "Set status",
      description: "Set the person's Slack status.",
      write: true,
      anyOfScopes: ["users.profile:write"],
    },
  ],
};
