// OpenAI's definition against OpenAI's API reference (Authentication: `Authorization: Bearer OPENAI_API_KEY`), written out by hand apart from provider.ts.
import { describe } from "vitest";

import { describeApiKeyCredential } from "@/lib/testing/api-key-credential";

const key = "sk-proj-0123456789abcdefghijKLMNOP";

describe("OpenAI", () => {
  describeApiKeyCredential("openai", {
    apiBase: "https://api.openai.com/v1",
    sample: { api_key: key },
    malformed: [{ api_key: "pk-0123456789abcdefghijKLMNOP" }, { api_key: "sk-short" }],
    headers: { authorization: `Bearer ${key}` },
    verifyPath: "/models",
    showsLastFour: true,
  });
});
