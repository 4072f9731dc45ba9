// GitHub as the portal shows it, and its tools. Client-safe: no URLs, no token settings.
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "github",
  name: "GitHub",
  description: "Repositories, issues and pull requests on GitHub (OAuth app).",
  logo: "/providers/github.svg",
  tools: [
    {
      name: "github.list_repos",
      provider: "github",
      title: "List my repositories",
      description: "Repositories the person can access.",
      write: false,
      anyOfScopes: ["repo", "public_repo", "read:user"],
    },
    {
      name: "github.search_issues",
      provider: "github",
      title: "Search issues",
      description: "Search issues and pull requests.",
      write: false,
      anyOfScopes: ["repo", "public_repo", "read:user"],
    },
    {
      name: "github.create_issue",
      provider: "github",
      title: "Create an issue",
      description: "Open an issue in a repository.",
      write: true,
      anyOfScopes: ["repo", "public_repo"],
    },
  ],
};
