// SendGrid's definition against its API reference (`Authorization: Bearer <API key>`, keys `SG.<id>.<secret>`), written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeApiKeyCredential } from "@/lib/testing/api-key-credential";

const key = "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";

describe("SendGrid", () => {
  describeApiKeyCredential("sendgrid", {
    apiBase: "https://api.sendgrid.com/v3",
    sample: { api_key: key },
    malformed: [{ api_key: "ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf" }, { api_key: "SG.short.short" }],
    headers: { authorization: `Bearer ${key}` },
    verifyPath: "/scopes",
    showsLastFour: false,
  });
});
