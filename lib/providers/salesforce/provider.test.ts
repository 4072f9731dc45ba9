// Salesforce's definition against Salesforce's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("Salesforce", () => {
  describeAuthorizationUrl("salesforce", {
    endpoint: "https://login.salesforce.com/services/oauth2/authorize",
    scopeParam: "scope",
    separator: " ",
    pkce: true,
    params: {},
    pick: ["api", "refresh_token"],
  });
});
