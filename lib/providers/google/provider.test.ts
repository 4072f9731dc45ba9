// Google's definition against Google's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("Google", () => {
  describeAuthorizationUrl("google", {
    endpoint: "https://accounts.google.com/o/oauth2/v2/auth",
    scopeParam: "scope",
    separator: " ",
    pkce: true,
    params: { access_type: "offline", prompt: "consent" },
    pick: ["openid", "https://www.googleapis.com/auth/gmail.send"],
  });
});
