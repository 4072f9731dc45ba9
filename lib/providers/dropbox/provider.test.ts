// Dropbox's definition against Dropbox's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("Dropbox", () => {
  describeAuthorizationUrl("dropbox", {
    endpoint: "https://www.dropbox.com/oauth2/authorize",
    scopeParam: "scope",
    separator: " ",
    pkce: true,
    params: { token_access_type: "offline" },
    pick: ["account_info.read", "files.content.read"],
  });
});
