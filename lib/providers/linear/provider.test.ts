// Linear's definition against Linear's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("Linear", () => {
  describeAuthorizationUrl("linear", {
    endpoint: "https://linear.app/oauth/authorize",
    scopeParam: "scope",
    separator: ",",
    pkce: true,
    params: {},
    pick: ["read", "issues:create"],
  });
});
