// The people's side of the zero-exposure journey, through the real pages, with the same selectors as
// e2e/connect.spec.ts and e2e/agents.spec.ts.
import type { Locator, Page } from "@playwright/test";

import { expect, interactive, test } from "../fixtures";

/** The person signs in at Demo Tasks as `account` and allows access, on the provider's pages in `page`. */
export async function signInAtDemoTasks(page: Page, account: "alice" | "bob" | "carol"): Promise<void> {
  await expect(page).toHaveTitle("Demo Tasks - Sign in");
  await page.getByLabel("Account").selectOption(account);
  await page.getByLabel("Password").fill("demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveTitle("Demo Tasks - Allow access");
  await page.getByRole("button", { name: "Allow" }).click();
}

/**
 * The person connects Demo Tasks as one of its accounts: the provider's login and consent open in a
 * popup, which tells the portal the outcome and closes; answers the new connection's id.
 */
export async function connectDemoTasks(page: Page, account: "alice" | "bob" | "carol" = "alice"): Promise<string> {
  return test.step(`connect Demo Tasks (as ${account}) through the provider's login and consent pages, in a popup`, async () => {
    await page.goto("/connections");
    await interactive(page);
    await page.getByRole("region", { name: "Demo Tasks" }).getByRole("button", { name: "Connect Demo Tasks" }).click();
    const opened = page.waitForEvent("popup");
    await page.getByRole("form", { name: "Connect Demo Tasks" }).getByRole("button", { name: "Continue to Demo Tasks" }).click();
    const popup = await opened;
    await signInAtDemoTasks(popup, account);
    await expect(page).toHaveURL(/\/connections\/[0-9a-f-]{36}\?connected=1$/);
    // The popup closes itself; a recorded one (e2e/exposure/recorder.ts) waits for the test.
    if (!popup.isClosed()) await popup.close();
    await expect(page.getByRole("status")).toContainText("Demo Tasks is connected");
    await expect(page.getByRole("heading", { level: 1 })).toContainText(`${account}@demo-tasks.test`);
    return new URL(page.url()).pathname.split("/").pop()!;
  });
}

export type Ceiling = { tools: string[]; methods: string[]; paths: string[]; days: number };

/** Bob registers an agent with a client secret, reads the secret from the once-only region, sets its ceiling. */
export async function registerAgent(page: Page, name: string, ceiling: Ceiling): Promise<{ clientId: string; clientSecret: string; card: Locator }> {
  return test.step(`bob registers ${name} and sets its ceiling`, async () => {
    await page.goto("/agents");
    await interactive(page);
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Description", { exact: true }).fill("Checks that no provider token ever leaves the vault.");
    await expect(page.getByRole("checkbox", { name: "Client secret", exact: true })).toBeChecked();
    await page.getByRole("button", { name: "Register agent", exact: true }).click();
    const creds = page.getByRole("region", { name: "New agent credentials" });
    await expect(creds).toContainText("shown only once");
    const clientSecret = ((await creds.locator("code.secret-value").textContent()) ?? "").trim();
    expect(clientSecret).toMatch(/^tvs_/);
    const clientId = (
      (await creds
        .getByRole("row", { name: /Client ID/ })
        .locator("code")
        .textContent()) ?? ""
    ).trim();
    expect(clientId).not.toBe("");
    await creds.getByRole("button", { name: "Done", exact: true }).click();
    await expect(creds).toHaveCount(0);

    const card = page.getByRole("article", { name, exact: true });
    await card.getByRole("button", { name: "Edit ceiling", exact: true }).click();
    await card.getByRole("group", { name: "Providers" }).getByLabel("Demo Tasks", { exact: true }).check();
    for (const tool of ceiling.tools) await card.getByRole("group", { name: "Tools" }).getByLabel(tool, { exact: true }).check();
    for (const method of ceiling.methods) await card.getByRole("group", { name: "HTTP methods" }).getByLabel(method, { exact: true }).check();
    await card.getByLabel("Path patterns", { exact: true }).fill(ceiling.paths.join("\n"));
    await card.getByLabel("Longest delegation (days)", { exact: true }).fill(String(ceiling.days));
    await card.getByRole("button", { name: "Save ceiling", exact: true }).click();
    await expect(card.getByRole("status")).toHaveText("Ceiling saved.");
    await expect(card).toContainText(`${ceiling.tools.length} tools`);
    return { clientId, clientSecret, card };
  });
}

/** Alice grants the agent access to the connection whose page is open. */
export async function grant(page: Page, agentName: string, scopes: string[], tools: string[]): Promise<void> {
  await test.step(`alice grants ${agentName} ${scopes.join("+")} with ${tools.length} tools`, async () => {
    const form = page.getByRole("region", { name: "Grant an agent" });
    await form.getByLabel("Agent", { exact: true }).selectOption({ label: agentName });
    for (const scope of scopes) await form.getByRole("group", { name: "Scopes" }).getByLabel(scope, { exact: true }).check();
    for (const tool of tools) await form.getByRole("group", { name: "Tools" }).getByLabel(tool, { exact: true }).check();
    await form.getByLabel("Expires in", { exact: true }).selectOption({ label: "7 days" });
    await form.getByRole("button", { name: "Grant access" }).click();
    await expect(form.getByRole("status")).toHaveText("Access granted.");
  });
}

/** The grant's entry in the connection page's list, told apart from others by a tool only it has. */
export function grantItem(page: Page, agentName: string, tool: string): Locator {
  return page.getByRole("listitem", { name: `${agentName} on alice@demo-tasks.test` }).filter({ hasText: tool });
}

export async function revoke(page: Page, agentName: string, item: Locator): Promise<void> {
  await test.step(`alice revokes ${agentName}'s grant after confirming`, async () => {
    await item.getByRole("button", { name: "Revoke" }).click();
    const dialog = page.getByRole("dialog", { name: new RegExp(`Revoke ${agentName}'s access`) });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Revoke access" }).click();
    await expect(item.locator(".badge")).toHaveText("revoked");
  });
}

export async function disconnect(page: Page, connectionId: string, label = "alice@demo-tasks.test"): Promise<void> {
  await test.step(`alice disconnects Demo Tasks (${label}) after confirming`, async () => {
    await page.goto(`/connections/${connectionId}`);
    await interactive(page);
    await page.getByRole("button", { name: "Disconnect" }).click();
    const dialog = page.getByRole("dialog", { name: `Disconnect ${label}?` });
    await expect(dialog).toContainText(/revoke/i);
    await dialog.getByRole("button", { name: "Disconnect" }).click();
    await expect(page).toHaveURL(/\/connections$/);
  });
}
