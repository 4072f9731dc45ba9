// A person pastes an API key in the real portal: every response the browser receives, its console,
// cookies and storage, and the portal's log are recorded and searched for the key in every encoding
// (the browser's own request to store it is the one place it may appear, and is where the scanner
// is shown to find it).
import { addPortalLog } from "./exposure/controls";
import { Corpus, type Channel } from "./exposure/corpus";
import { BrowserRecorder } from "./exposure/recorder";
import { describeHit, scan } from "./exposure/scanner";
import { expect, signInAs, test } from "./fixtures";

// A key in OpenAI's format; the check with OpenAI is left off (this machine reaches no provider).
const KEY = "sk-proj-e2eE2Ee2eE2Ee2eE2Ee2eKQ7Z";
const NEW_KEY = "sk-proj-e2eNEWe2eNEWe2eNEWe2eRT4W";

test("bob pastes an OpenAI key: refused in the wrong format, then stored and shown only by fingerprint and last four; replaced, then removed", async ({
  browser,
}) => {
  const corpus = new Corpus();
  const recorder = new BrowserRecorder(corpus);
  const context = await browser.newContext();
  await recorder.attach("bob", context);
  const page = await context.newPage();
  await signInAs(page, "bob@acme.test");
  const card = page.getByRole("region", { name: "OpenAI" });

  await test.step("a value in the wrong format is refused with a sentence, and the field is emptied", async () => {
    const form = page.getByRole("form", { name: "Paste key for OpenAI" });
    // Clicked again until the page has hydrated (every response goes through the recorder first).
    await expect(async () => {
      if (!(await form.isVisible())) await card.getByRole("button", { name: "Paste key for OpenAI" }).click();
      await expect(form).toBeVisible({ timeout: 1_000 });
    }).toPass();
    const secret = form.getByLabel("Secret key");
    await expect(secret).toHaveAttribute("type", "password");
    await secret.fill("not-an-openai-key");
    await form.getByLabel("Check the key with OpenAI before storing it").uncheck();
    await form.getByRole("button", { name: "Connect OpenAI" }).click();
    await expect(form.getByRole("alert")).toContainText("This Secret key is not in OpenAI's format (it looks like sk-...)");
    await expect(secret).toHaveValue("");
  });

  await test.step("a key in OpenAI's format is stored; the page shows its last four and fingerprint, never the key", async () => {
    const form = page.getByRole("form", { name: "Paste key for OpenAI" });
    await form.getByLabel("Secret key").fill(KEY);
    await form.getByLabel("Name (optional)").fill("Research key");
    await form.getByRole("button", { name: "Connect OpenAI" }).click();
    await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?connected=1$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Research key");
    await expect(page.getByText("API key ending KQ7Z")).toBeVisible();
    await expect(page.getByText(/fingerprint [0-9a-f]{4}(:[0-9a-f]{4}){3}/)).toBeVisible();
    await expect(page.getByText("stored without a check")).toBeVisible();
    expect(await page.content()).not.toContain(KEY);
  });

  await test.step("replacing the key keeps the connection and shows the new last four", async () => {
    const url = page.url().replace(/\?.*$/, "");
    const form = page.getByRole("form", { name: "Replace key for OpenAI" });
    await expect(async () => {
      if (!(await form.isVisible())) await page.getByRole("button", { name: "Replace key for OpenAI" }).click();
      await expect(form).toBeVisible({ timeout: 1_000 });
    }).toPass();
    await form.getByLabel("Secret key").fill(NEW_KEY);
    await form.getByLabel("Check the key with OpenAI before storing it").uncheck();
    await form.getByRole("button", { name: "Store the new key" }).click();
    await expect(page.getByRole("status").filter({ hasText: "The new key is stored" })).toBeVisible();
    await expect(page.getByText("API key ending RT4W")).toBeVisible();
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Research key");
    expect(page.url().replace(/\?.*$/, "")).toBe(url);
    expect(await page.content()).not.toContain(NEW_KEY);
  });

  await test.step("removing it is the ordinary disconnect", async () => {
    await page.getByRole("button", { name: "Disconnect" }).click();
    await page.getByRole("dialog", { name: "Disconnect Research key?" }).getByRole("button", { name: "Disconnect" }).click();
    await expect(page).toHaveURL(/\/connections$/);
    await expect(page.getByRole("link", { name: "Research key" })).toHaveCount(0);
  });

  await test.step("the key is nowhere the portal sends anything: responses, console, storage, cookies, its log", async () => {
    await recorder.snapshot("api key");
    await recorder.settle();
    await addPortalLog(corpus);
    const secrets = [KEY, NEW_KEY].map((value) => ({ kind: "api key", value }));
    const sent: Channel[] = ["browser-response", "browser-console", "browser-storage", "browser-cookies", "server-log"];
    expect(scan(corpus, secrets, sent).map(describeHit)).toEqual([]);
    // The scanner finds what is there: the browser's own requests carried both keys to the portal once each.
    expect(new Set(scan(corpus, secrets, ["browser-request"]).map((h) => h.secretIndex))).toEqual(new Set([0, 1]));
    await context.close();
  });
});
