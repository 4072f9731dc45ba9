import { expect, signInAs, test } from "./fixtures";

test("a signed-out visitor is sent to the sign-in page, which lists the demo people", async ({ page }) => {
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Faudit/);
  for (const email of ["alice@acme.test", "bob@acme.test", "carol@globex.test"]) {
    await expect(page.getByRole("button", { name: new RegExp(email.replace(".", "\\.")) })).toBeVisible();
  }
});

test("alice signs in and sees her empty Connections page, without admin items", async ({ page }) => {
  await signInAs(page, "alice@acme.test");
  await expect(page.getByRole("heading", { name: "Connections", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "No accounts connected yet" })).toBeVisible();
  const nav = page.getByRole("navigation", { name: "Portal" });
  await expect(nav.getByRole("link", { name: "Connections" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Audit" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Agents" })).toHaveCount(0);
  await expect(nav).toContainText("Alice Archer");
  // The admin page itself refuses her, not just the menu.
  await page.goto("/agents");
  await expect(page).toHaveURL(/\/connections$/);
});

test("bob (admin) reaches the Agents page from the menu; sign-out ends the session", async ({ page }) => {
  await signInAs(page, "bob@acme.test");
  const nav = page.getByRole("navigation", { name: "Portal" });
  await nav.getByRole("link", { name: "Agents" }).click();
  // The empty state itself is checked in agents.spec.ts, which runs against an empty tenant.
  await expect(page.getByRole("heading", { level: 1, name: "Agents" })).toBeVisible();
  await expect(page.getByRole("form", { name: "Register an agent" })).toBeVisible();
  await nav.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/connections");
  await expect(page).toHaveURL(/\/signin/);
});

test("health answers with the database reachable", async ({ request }) => {
  const res = await request.get("/api/health");
  expect(res.status()).toBe(200);
  expect(await res.json()).toMatchObject({ status: "ok", database: { reachable: true } });
});

test("an unknown demo email is refused with a sentence", async ({ page, request }) => {
  const csrf = await (await request.get("/api/auth/csrf")).json();
  const res = await request.post("/api/auth/callback/demo", { form: { csrfToken: csrf.csrfToken, email: "mallory@acme.test", json: "true" } });
  expect(new URL(res.url()).searchParams.get("error") ?? (await res.json()).url).toMatch(/CredentialsSignin/);
  await page.goto("/signin?error=CredentialsSignin");
  await expect(page.locator("p[role=alert]")).toContainText("That demo person does not exist");
});
