// Notion's definition against Notion's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("Notion", () => {
  describeAuthorizationUrl("notion", {
    endpoint: "https://api.notion.com/v1/oauth/authorize",
    scopeParam: "scope",
    separator: " ",
    pkce: false,
    params: { owner: "user" },
    pick: null,
  });
});
