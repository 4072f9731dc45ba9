// Jira (Atlassian) as the portal shows it, and its tools. Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "atlassian",
  name: "Jira (Atlassian)",
  description: "Jira issues and projects on your Atlassian Cloud site.",
  logo: "/providers/atlassian.svg",
  tools: [
    {
      name: "atlassian.search_issues",
      provider: "atlassian",
      title: "Search Jira issues",
      description: "Search issues with JQL.",
      write: false,
      anyOfScopes: ["read:jira-work"],
    },
    {
      name: "atlassian.get_issue",
      provider: "atlassian",
      title: "Get a Jira issue",
      description: "One issue by key.",
      write: false,
      anyOfScopes: ["read:jira-work"],
    },
  ],
};
