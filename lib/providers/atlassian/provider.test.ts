// Atlassian's definition against Atlassian's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("Atlassian", () => {
  describeAuthorizationUrl("atlassian", {
    endpoint: "https://auth.atlassian.com/authorize",
    scopeParam: "scope",
    separator: " ",
    pkce: false,
    params: { audience: "api.atlassian.com", prompt: "consent" },
    pick: ["read:jira-work", "offline_access"],
  });
});
