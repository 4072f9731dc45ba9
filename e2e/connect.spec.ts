import { expect, signInAs, test } from "./fixtures";

const PROVIDER = `http://127.0.0.1:${Number(process.env.E2E_PORT ?? 3107) + 1}`;

async function providerStats(): Promise<{ revocations: number; authorizationCodeGrants: number }> {
  return (await fetch(`${PROVIDER}/__test/stats`)).json();
}

test("alice connects Demo Tasks through the real login and consent pages, then disconnects it", async ({ page }) => {
  await signInAs(page, "alice@acme.test");
  const card = page.getByRole("region", { name: "Demo Tasks" });

  await test.step("choose permissions and leave for the provider", async () => {
    await card.getByRole("button", { name: "Connect Demo Tasks" }).click();
    const form = page.getByRole("form", { name: "Connect Demo Tasks" });
    await expect(form.getByLabel(/Read your tasks/)).toBeChecked();
    await expect(form.getByLabel(/Create and delete your tasks/)).toBeChecked();
    await form.getByRole("button", { name: "Continue to Demo Tasks" }).click();
  });

  await test.step("sign in and allow at Demo Tasks", async () => {
    await expect(page).toHaveTitle("Demo Tasks - Sign in");
    await page.getByLabel("Account").selectOption("alice");
    await page.getByLabel("Password").fill("demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page).toHaveTitle("Demo Tasks - Allow access");
    await expect(page.getByText("Read your tasks")).toBeVisible();
    await page.getByRole("button", { name: "Allow" }).click();
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

test("declining at the provider shows what happened and offers to try again", async ({ page }) => {
  await signInAs(page, "carol@globex.test");
  await page.getByRole("region", { name: "Demo Tasks" }).getByRole("button", { name: "Connect Demo Tasks" }).click();
  await page.getByRole("form", { name: "Connect Demo Tasks" }).getByRole("button", { name: "Continue to Demo Tasks" }).click();
  await page.getByLabel("Account").selectOption("carol");
  await page.getByLabel("Password").fill("demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Deny" }).click();
  await expect(page).toHaveURL(/connect_error=access_denied/);
  const alert = page.getByRole("alert").filter({ hasText: "Could not connect" });
  await expect(alert).toContainText("Could not connect Demo Tasks");
  await expect(alert.getByRole("link", { name: "Try again" })).toBeVisible();
});
