// Slack's definition against Slack's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("Slack", () => {
  describeAuthorizationUrl("slack", {
    endpoint: "https://slack.com/oauth/v2/authorize",
    scopeParam: "user_scope",
    separator: ",",
    pkce: false,
    params: {},
    pick: ["chat:write", "channels:read"],
  });
});
