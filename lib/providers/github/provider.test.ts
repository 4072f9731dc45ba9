// GitHub's definition against GitHub's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("GitHub", () => {
  describeAuthorizationUrl("github", {
    endpoint: "https://github.com/login/oauth/authorize",
    scopeParam: "scope",
    separator: " ",
    pkce: true,
    params: {},
    pick: ["repo", "read:org"],
  });
});
