// Demo Tasks, the provider bundled with the vault, as the portal shows it: name, logo, tools and
// the scopes a raw proxy call needs. Client-safe: its URLs depend on where it runs (provider.ts).
import type { ProviderMeta } from "@/lib/providers/provider-meta";

export const meta: ProviderMeta = {
  key: "demo-tasks",
  name: "Demo Tasks",
  description: "A small to-do list API bundled with the vault, for trying connections and agents.",
  logo: "/providers/demo-tasks.svg",
  tools: [
    {
      name: "demo-tasks.list_tasks",
      provider: "demo-tasks",
      title: "List tasks",
      description: "List the person's tasks.",
      write: false,
      anyOfScopes: ["tasks.read", "tasks.write"],
    },
    {
      name: "demo-tasks.create_task",
      provider: "demo-tasks",
      title: "Create a task",
      description: "Create a task with a title.",
      write: true,
      anyOfScopes: ["tasks.write"],
    },
    {
      name: "demo-tasks.delete_task",
      provider: "demo-tasks",
      title: "Delete a task",
      description: "Delete one task by id.",
      write: true,
      anyOfScopes: ["tasks.write"],
    },
    {
      name: "demo-tasks.whoami",
      provider: "demo-tasks",
      title: "Who am I",
      description: "The account the connection belongs to.",
      write: false,
      anyOfScopes: ["tasks.read", "tasks.write"],
    },
  ],
  proxyScopeRules: [
    { methods: ["GET", "HEAD"], pathPattern: "/**", anyOfScopes: ["tasks.read", "tasks.write"] },
    { methods: ["POST", "PUT", "PATCH", "DELETE"], pathPattern: "/tasks/**", anyOfScopes: ["tasks.write"] },
  ],
};
