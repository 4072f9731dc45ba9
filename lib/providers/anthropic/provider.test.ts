// Anthropic's definition against its API reference (`x-api-key` and `anthropic-version: 2023-06-01` on every request), written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeApiKeyCredential } from "@/lib/testing/api-key-credential";

const key = "sk-ant-api03-0123456789abcdefghijKLMNOP";

describe("Anthropic", () => {
  describeApiKeyCredential("anthropic", {
    apiBase: "https://api.anthropic.com/v1",
    sample: { api_key: key },
    malformed: [{ api_key: "sk-0123456789abcdefghijKLMNOP" }, { api_key: "sk-ant-short" }],
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01" },
    verifyPath: "/models",
    showsLastFour: true,
  });
});
