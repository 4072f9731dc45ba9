import { expect, test as base, type Page } from "@playwright/test";

export type DemoEmail = "alice@acme.test" | "bob@acme.test" | "carol@globex.test";

export async function signInAs(page: Page, email: DemoEmail): Promise<void> {
  await test.step(`sign in as ${email}`, async () => {
    await page.goto("/connections");
    await expect(page).toHaveURL(/\/signin/);
    await interactive(page);
    await page.getByRole("button", { name: new RegExp(email.replace(".", "\\.")) }).click();
    await expect(page).toHaveURL(/\/connections$/);
    await interactive(page);
  });
}

/** Waits until the page has hydrated: a click before that finds a button without its handler and does nothing. */
export async function interactive(page: Page): Promise<void> {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached" });
}

export const test = base;
export { expect };
