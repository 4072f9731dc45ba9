// Agents and delegations in the browser: bob (admin) registers agents and sets their ceilings; alice
// grants one access to her Demo Tasks connection, sees the grant and revokes it; carol (globex) sees
// none of acme's agents or grants. Runs first (file order), while acme has no agents yet.
import { generateKeyPairSync } from "node:crypto";
import { connectDemoTasks, disconnect } from "./exposure/portal-steps";
import { expect, interactive, signInAs, test } from "./fixtures";

test("bob registers an agent, sets its ceiling, suspends, resumes, rotates its secret and deletes it", async ({ page }) => {
  await signInAs(page, "bob@acme.test");
  await page.goto("/agents");
  await interactive(page);
  await expect(page.getByRole("heading", { name: "No agents registered yet" })).toBeVisible();

  const secret = await test.step("register: the secret is shown once", async () => {
    await page.getByLabel("Name", { exact: true }).fill("Build bot");
    await page.getByLabel("Description", { exact: true }).fill("Files tasks from CI.");
    await expect(page.getByRole("checkbox", { name: "Client secret", exact: true })).toBeChecked();
    await page.getByRole("button", { name: "Register agent", exact: true }).click();
    const creds = page.getByRole("region", { name: "New agent credentials" });
    await expect(creds).toContainText("shown only once");
    const value = (await creds.locator("code.secret-value").textContent()) ?? "";
    expect(value).toMatch(/^tvs_/);
    await creds.getByRole("button", { name: "Done", exact: true }).click();
    await expect(creds).toHaveCount(0);
    await expect(page.getByText(value)).toHaveCount(0);
    return value;
  });

  const card = page.getByRole("article", { name: "Build bot", exact: true });
  await test.step("a new agent can do nothing until its ceiling is set; a bad path pattern is explained", async () => {
    await expect(card).toContainText("Can do nothing yet");
    await card.getByRole("button", { name: "Edit ceiling", exact: true }).click();
    await card.getByRole("group", { name: "Providers" }).getByLabel("Demo Tasks", { exact: true }).check();
    await card.getByRole("group", { name: "Tools" }).getByLabel("demo-tasks.list_tasks", { exact: true }).check();
    await card.getByRole("group", { name: "HTTP methods" }).getByLabel("GET", { exact: true }).check();
    await card.getByLabel("Path patterns", { exact: true }).fill("/tasks/**\n/../x");
    await card.getByLabel("Longest delegation (days)", { exact: true }).fill("7");
    await card.getByRole("button", { name: "Save ceiling", exact: true }).click();
    await expect(card.getByRole("alert")).toContainText("path pattern");
    await card.getByLabel("Path patterns", { exact: true }).fill("/tasks/**");
    await card.getByRole("button", { name: "Save ceiling", exact: true }).click();
    await expect(card.getByRole("status")).toHaveText("Ceiling saved.");
    await expect(card).toContainText("Demo Tasks · 1 tool · GET on /tasks/** · delegations up to 7 days");
  });

  await test.step("suspend and resume", async () => {
    await card.getByRole("button", { name: "Suspend", exact: true }).click();
    await expect(card.locator(".badge")).toHaveText("suspended");
    await card.getByRole("button", { name: "Resume", exact: true }).click();
    await expect(card.locator(".badge")).toHaveText("active");
  });

  await test.step("rotate the secret with an overlap; a reload shows no secret", async () => {
    await card.getByRole("button", { name: "Rotate secret", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Rotate now" }).click();
    await expect(page.getByRole("region", { name: "New agent credentials" })).toContainText("New client secret for Build bot");
    await expect(card).toContainText("previous secret works until");
    await page.getByRole("button", { name: "Done", exact: true }).click();
    await page.reload();
    await expect(card).toContainText("Demo Tasks · 1 tool");
    expect(await page.content()).not.toContain(secret);
  });

  await test.step("delete after confirming", async () => {
    await card.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = page.getByRole("dialog");
    await expect(dialog).toContainText("Delete Build bot?");
    await dialog.getByRole("button", { name: "Delete agent", exact: true }).click();
    await expect(card).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "No agents registered yet" })).toBeVisible();
  });

  await test.step("an agent with public keys only; a symmetric key is refused with a sentence", async () => {
    await page.getByLabel("Name", { exact: true }).fill("Key-only bot");
    await page.getByRole("checkbox", { name: "Client secret", exact: true }).uncheck();
    await page.getByLabel("Public JWKS", { exact: true }).fill('{"kty":"oct","k":"abc"}');
    await page.getByRole("button", { name: "Register agent", exact: true }).click();
    await expect(page.getByRole("form", { name: "Register an agent" }).getByRole("alert")).toContainText("symmetric");
    const jwk = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
    await page.getByLabel("Public JWKS", { exact: true }).fill(JSON.stringify(jwk));
    await page.getByRole("button", { name: "Register agent", exact: true }).click();
    await expect(page.getByRole("region", { name: "New agent credentials" })).toContainText("no client secret");
    await expect(page.getByRole("article", { name: "Key-only bot" })).toContainText("1 public key");
    await page.getByRole("button", { name: "Done", exact: true }).click();
  });
});

test("alice grants bob's agent access to her Demo Tasks connection, sees it and revokes it; carol sees none of it", async ({ page, browser }) => {
  await signInAs(page, "bob@acme.test");
  await page.goto("/agents");
  await interactive(page);
  await test.step("bob registers Tasks assistant with a Demo Tasks ceiling", async () => {
    await page.getByLabel("Name", { exact: true }).fill("Tasks assistant");
    await page.getByRole("button", { name: "Register agent", exact: true }).click();
    await page.getByRole("region", { name: "New agent credentials" }).getByRole("button", { name: "Done", exact: true }).click();
    const card = page.getByRole("article", { name: "Tasks assistant", exact: true });
    await card.getByRole("button", { name: "Edit ceiling", exact: true }).click();
    await card.getByRole("group", { name: "Providers" }).getByLabel("Demo Tasks", { exact: true }).check();
    for (const tool of ["demo-tasks.list_tasks", "demo-tasks.create_task"])
      await card.getByRole("group", { name: "Tools" }).getByLabel(tool, { exact: true }).check();
    for (const method of ["GET", "POST"]) await card.getByRole("group", { name: "HTTP methods" }).getByLabel(method, { exact: true }).check();
    await card.getByLabel("Path patterns", { exact: true }).fill("/tasks/**");
    await card.getByLabel("Longest delegation (days)", { exact: true }).fill("30");
    await card.getByRole("button", { name: "Save ceiling", exact: true }).click();
    await expect(card.getByRole("status")).toHaveText("Ceiling saved.");
  });

  const alicePage = await (await browser.newContext()).newPage();
  await signInAs(alicePage, "alice@acme.test");
  const connectionId = await connectDemoTasks(alicePage, "alice");
  const grant = alicePage.getByRole("listitem", { name: "Tasks assistant on alice@demo-tasks.test" });

  await test.step("the form offers only what the ceiling and the connection allow, and says why not the rest", async () => {
    const form = alicePage.getByRole("region", { name: "Grant an agent" });
    await form.getByLabel("Agent", { exact: true }).selectOption({ label: "Tasks assistant" });
    await expect(form.getByRole("group", { name: "Tools" }).getByLabel("demo-tasks.delete_task", { exact: true })).toHaveCount(0);
    await expect(form.getByRole("group", { name: "Tools" })).toContainText("demo-tasks.delete_task");
    await expect(form.getByLabel("Key-only bot")).toHaveCount(0);
    await form.getByRole("group", { name: "Scopes" }).getByLabel("tasks.read", { exact: true }).check();
    await form.getByRole("group", { name: "Tools" }).getByLabel("demo-tasks.list_tasks", { exact: true }).check();
    await form.getByLabel("Expires in", { exact: true }).selectOption({ label: "7 days" });
    await form.getByRole("checkbox", { name: "Read-only" }).check();
    await form.getByRole("button", { name: "Grant access" }).click();
    await expect(form.getByRole("status")).toHaveText("Access granted.");
    await expect(grant).toContainText("tasks.read");
    await expect(grant).toContainText("demo-tasks.list_tasks");
  });

  await test.step("the grant is listed on the Delegations page, and bob sees it among the tenant's grants", async () => {
    await alicePage.goto("/delegations");
    await expect(grant).toContainText("active");
    await page.goto("/delegations");
    await expect(page.getByRole("listitem", { name: "Tasks assistant on alice@demo-tasks.test" })).toBeVisible();
  });

  await test.step("carol (globex) sees none of acme's agents or grants", async () => {
    const carolPage = await (await browser.newContext()).newPage();
    await signInAs(carolPage, "carol@globex.test");
    await carolPage.goto("/delegations");
    await expect(carolPage.getByRole("heading", { name: "No agent has access to your connections" })).toBeVisible();
    await expect(carolPage.getByText("Tasks assistant")).toHaveCount(0);
    expect((await carolPage.request.get("/api/v1/agents")).status()).toBe(403);
    const grants = (await (await carolPage.request.get("/api/v1/delegations")).json()) as { delegations: unknown[] };
    expect(grants.delegations).toEqual([]);
    expect((await carolPage.request.get(`/api/v1/connections/${connectionId}`)).status()).toBe(404);
    await carolPage.context().close();
  });

  await test.step("alice revokes after confirming; it shows as revoked at once", async () => {
    await grant.getByRole("button", { name: "Revoke" }).click();
    const dialog = alicePage.getByRole("dialog", { name: /Revoke Tasks assistant's access/ });
    await dialog.getByRole("button", { name: "Revoke access" }).click();
    await expect(grant.locator(".badge")).toHaveText("revoked");
    await expect(grant.getByRole("button", { name: "Revoke" })).toHaveCount(0);
    await alicePage.reload();
    await expect(grant.locator(".badge")).toHaveText("revoked");
  });
  // The specs after this one start from alice's empty Connections page.
  await disconnect(alicePage, connectionId);
  await alicePage.context().close();
});
