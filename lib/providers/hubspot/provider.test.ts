// HubSpot's definition against HubSpot's own documentation, written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeAuthorizationUrl } from "@/lib/testing/authorization-url";

describe("HubSpot", () => {
  describeAuthorizationUrl("hubspot", {
    endpoint: "https://app.hubspot.com/oauth/authorize",
    scopeParam: "scope",
    separator: " ",
    pkce: false,
    params: {},
    pick: ["oauth", "crm.objects.contacts.read"],
  });
});
