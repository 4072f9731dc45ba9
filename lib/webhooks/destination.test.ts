// SSRF: outside demo mode a webhook URL must be public https: loopback, private, link-local and
// plain http are refused when it is saved, with a sentence; demo mode lets loopback through, nothing
// else. The delivery itself goes through fetchPublic, which checks again (lib/net/public-fetch.test.ts).
import { beforeEach, describe, expect, it, vi } from "vitest";

const mode = vi.hoisted(() => ({ value: "production" as "production" | "demo" }));
vi.mock("@/lib/env", () => ({ env: () => ({ mode: mode.value }) }));

const { checkWebhookUrl } = await import("./destination");

async function refusal(url: string): Promise<string> {
  const e = await checkWebhookUrl(url).then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, url).toMatchObject({ status: 400, code: "webhook_url_refused" });
  return (e as Error).message;
}

describe("webhook destinations outside demo mode", () => {
  beforeEach(() => void (mode.value = "production"));

  it.each([
    "https://127.0.0.1/hook",
    "https://[::1]/hook",
    "https://10.1.2.3/hook",
    "https://192.168.0.10/hook",
    "https://172.16.5.4/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://[fd12::1]/hook",
    "https://[::ffff:10.0.0.1]/hook",
    "https://localhost/hook",
  ])("refuses %s, a private or local address", async (url) => {
    expect(await refusal(url)).toMatch(/private or local address/);
  });

  it("refuses plain http, even to this machine", async () => {
    expect(await refusal("http://127.0.0.1:9999/hook")).toMatch(/must be https/);
    expect(await refusal("http://93.184.215.14/hook")).toMatch(/must be https/);
  });

  it("accepts a public https address", async () => {
    await expect(checkWebhookUrl("https://93.184.215.14/hooks/vault")).resolves.toBeInstanceOf(URL);
  });
});

describe("webhook destinations in demo mode", () => {
  beforeEach(() => void (mode.value = "demo"));

  it("lets a loopback receiver through, over plain http", async () => {
    await expect(checkWebhookUrl("http://127.0.0.1:9999/hook")).resolves.toBeInstanceOf(URL);
  });

  it("still refuses the private network and the metadata service", async () => {
    expect(await refusal("https://10.0.0.7/hook")).toMatch(/private or local address/);
    expect(await refusal("http://169.254.169.254/")).toMatch(/https/);
  });
});
