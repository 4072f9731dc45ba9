import { providerStats } from "./exposure/controls";
import { signInAtDemoTasks } from "./exposure/portal-steps";
import { expect, signInAs, test } from "./fixtures";

test("alice connects Demo Tasks through the real login and consent pages in a popup, then disconnects it", async ({ page }) => {
  await signInAs(page, "alice@acme.test");
  const card = page.getByRole("region", { name: "Demo Tasks" });

  const popup = await test.step("choose permissions; the provider opens in a popup", async () => {
    await card.getByRole("button", { name: "Connect Demo Tasks" }).click();
    const form = page.getByRole("form", { name: "Connect Demo Tasks" });
    await expect(form.getByLabel(/Read your tasks/)).toBeChecked();
    await expect(form.getByLabel(/Create and delete your tasks/)).toBeChecked();
    const opened = page.waitForEvent("popup");
    await form.getByRole("button", { name: "Continue to Demo Tasks" }).click();
    await expect(form.getByRole("status")).toContainText("finish in the window that opened");
    return opened;
  });

  await test.step("a message that is not the popup's own is ignored", async () => {
    // Same origin, right shape, but not from the popup and without its nonce: the page stays.
    await page.evaluate(() =>
      window.postMessage({ type: "vault:connect", status: "connected", connectionId: "00000000-0000-4000-8000-000000000000", nonce: "guess" }, "*"),
    );
    await page.waitForTimeout(300);
    await expect(page).toHaveURL(/\/connections$/);
  });

  await test.step("sign in and allow at Demo Tasks; the popup reports back and closes", async () => {
    const closed = popup.waitForEvent("close");
    await expect(popup).toHaveTitle("Demo Tasks - Sign in");
    await popup.getByLabel("Account").selectOption("alice");
    await popup.getByLabel("Password").fill("demo");
    await popup.getByRole("button", { name: "Sign in" }).click();
    await expect(popup).toHaveTitle("Demo Tasks - Allow access");
    await expect(popup.getByText("Read your tasks")).toBeVisible();
    await popup.getByRole("button", { name: "Allow" }).click();
    await closed;
  });

  await test.step("the connection is active with its scopes", async () => {
    await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?connected=1$/);
    await expect(page.getByRole("status")).toContainText("Demo Tasks is connected");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("alice@demo-tasks.test");
    await expect(page.getByText("active").first()).toBeVisible();
    await expect(page.getByText(/Read your tasks/).first()).toBeVisible();
    await page.goto("/connections");
    await expect(page.getByRole("link", { name: "alice@demo-tasks.test" })).toBeVisible();
    await page.getByRole("link", { name: "alice@demo-tasks.test" }).click();
  });

  await test.step("disconnect through the dialog; the provider revokes the tokens", async () => {
    const before = await providerStats();
    await page.getByRole("button", { name: "Disconnect" }).click();
    const dialog = page.getByRole("dialog", { name: "Disconnect alice@demo-tasks.test?" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(/revoke/i);
    await dialog.getByRole("button", { name: "Disconnect" }).click();
    await expect(page).toHaveURL(/\/connections$/);
    await expect(page.getByRole("link", { name: "alice@demo-tasks.test" })).toHaveCount(0);
    const after = await providerStats();
    expect(after.revocations).toBeGreaterThanOrEqual(before.revocations + 1);
  });
});

test("declining at the provider in the popup shows what happened in the portal and offers to try again", async ({ page }) => {
  await signInAs(page, "carol@globex.test");
  await page.getByRole("region", { name: "Demo Tasks" }).getByRole("button", { name: "Connect Demo Tasks" }).click();
  const opened = page.waitForEvent("popup");
  await page.getByRole("form", { name: "Connect Demo Tasks" }).getByRole("button", { name: "Continue to Demo Tasks" }).click();
  const popup = await opened;
  const closed = popup.waitForEvent("close");
  await popup.getByLabel("Account").selectOption("carol");
  await popup.getByLabel("Password").fill("demo");
  await popup.getByRole("button", { name: "Sign in" }).click();
  await popup.getByRole("button", { name: "Deny" }).click();
  await closed;
  await expect(page).toHaveURL(/connect_error=access_denied/);
  const alert = page.getByRole("alert").filter({ hasText: "Could not connect" });
  await expect(alert).toContainText("Could not connect Demo Tasks");
  await expect(alert.getByRole("link", { name: "Try again" })).toBeVisible();
});

test("when the browser blocks the popup, connecting goes the whole way in the same window", async ({ page }) => {
  await page.addInitScript(() => {
    window.open = () => null;
  });
  await signInAs(page, "carol@globex.test");
  await page.getByRole("region", { name: "Demo Tasks" }).getByRole("button", { name: "Connect Demo Tasks" }).click();
  await page.getByRole("form", { name: "Connect Demo Tasks" }).getByRole("button", { name: "Continue to Demo Tasks" }).click();
  await signInAtDemoTasks(page, "carol");
  await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?connected=1$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("carol@demo-tasks.test");
  await page.getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("dialog", { name: "Disconnect carol@demo-tasks.test?" }).getByRole("button", { name: "Disconnect" }).click();
  await expect(page).toHaveURL(/\/connections$/);
});
