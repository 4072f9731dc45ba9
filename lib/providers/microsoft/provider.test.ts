// Microsoft's definition against Microsoft's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("Microsoft", () => {
  describeAuthorizationUrl("microsoft", {
    endpoint: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    scopeParam: "scope",
    separator: " ",
    pkce: true,
    params: {},
    pick: ["offline_access", "Mail.Read"],
  });
});
