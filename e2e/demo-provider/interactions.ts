import type { IncomingMessage, ServerResponse } from "node:http";
import type Provider from "oidc-provider";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, isDemoAccount } from "./accounts.js";
import { escapeHtml, page, readForm, sendHtml } from "./http-util.js";

export const LOGIN_TITLE = "Demo Tasks - Sign in";
export const CONSENT_TITLE = "Demo Tasks - Allow access";

const SCOPE_DESCRIPTIONS: Record<string, string> = {
  "tasks.read": "Read your tasks",
  "tasks.write": "Create and delete your tasks",
  openid: "Know which Demo Tasks account you use",
  offline_access: "Keep access while you are not using the app",
};

type Details = Awaited<ReturnType<Provider["interactionDetails"]>>;

/**
 * Our own login/consent pages (devInteractions is off): they are what Playwright clicks through,
 * so the markup is plain, labelled HTML forms that work without JavaScript.
 * Returns false when the path is not an interaction route.
 * No CSRF token: the interaction cookie is SameSite=Lax and path-bound to the uid, so a
 * cross-site POST arrives without it and interactionDetails() refuses it.
 */
export async function handleInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|consent))?$/.exec(pathname);
  if (!match) return false;
  const uid = match[1] ?? "";
  const action = match[2];
  const method = req.method ?? "GET";

  let details: Details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendHtml(res, 400, expiredPage());
    return true;
  }
  // The interaction cookie is scoped to its uid path; a mismatch means a stale or forged URL.
  if (details.uid !== uid) {
    sendHtml(res, 400, expiredPage());
    return true;
  }
  const clientId = String(details.params.client_id ?? "");

  if (method === "GET" && action === undefined) {
    if (details.prompt.name === "login") sendHtml(res, 200, loginPage(uid, clientId));
    else if (details.prompt.name === "consent") sendHtml(res, 200, consentPage(uid, clientId, details));
    else sendHtml(res, 400, expiredPage());
    return true;
  }

  if (method === "POST" && action === "login" && details.prompt.name === "login") {
    const form = await readForm(req);
    const username = form.get("username") ?? "";
    const password = form.get("password") ?? "";
    if (!isDemoAccount(username) || password !== DEMO_PASSWORD) {
      sendHtml(res, 200, loginPage(uid, clientId, username, "Wrong account or password. Please try again."));
      return true;
    }
    await provider.interactionFinished(req, res, { login: { accountId: username } }, { mergeWithLastSubmission: false });
    return true;
  }

  if (method === "POST" && action === "consent" && details.prompt.name === "consent") {
    const form = await readForm(req);
    if (form.get("decision") !== "allow") {
      await provider.interactionFinished(
        req,
        res,
        { error: "access_denied", error_description: "the user denied the authorization request" },
        { mergeWithLastSubmission: false },
      );
      return true;
    }
    const grantId = await saveGrant(provider, details);
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return true;
  }

  sendHtml(res, 405, expiredPage());
  return true;
}

/** Grants exactly what the consent prompt reported missing, i.e. what was requested. */
export async function saveGrant(provider: Provider, details: Details): Promise<string> {
  const accountId = details.session?.accountId;
  if (!accountId) throw new Error("consent without a logged-in session");
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  const prompt = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (prompt.missingOIDCScope?.length) grant.addOIDCScope(prompt.missingOIDCScope.join(" "));
  if (prompt.missingOIDCClaims?.length) grant.addOIDCClaims(prompt.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(" "));
  }
  return grant.save();
}

function loginPage(uid: string, clientId: string, selected = "", error?: string): string {
  const options = DEMO_ACCOUNTS.map((name) => `<option value="${name}"${name === selected ? " selected" : ""}>${name}</option>`).join("");
  return page(
    LOGIN_TITLE,
    `<h1>Sign in to Demo Tasks</h1>
<p><strong>${escapeHtml(clientId)}</strong> wants to connect to your Demo Tasks account.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label for="username">Account</label>
  <select id="username" name="username" autocomplete="username">${options}</select>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <p class="hint" id="password-hint">Every demo account uses the password <code>demo</code>.</p>
  <button type="submit">Sign in</button>
</form>`,
  );
}

function consentPage(uid: string, clientId: string, details: Details): string {
  const requested = String(details.params.scope ?? "")
    .split(" ")
    .filter(Boolean);
  const items = requested.map((scope) => `<li>${escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? scope)}</li>`).join("");
  const account = details.session?.accountId ?? "";
  return page(
    CONSENT_TITLE,
    `<h1>Allow access to your tasks?</h1>
<p><strong>${escapeHtml(clientId)}</strong> is asking for access to the Demo Tasks account
<strong>${escapeHtml(account)}</strong>. It will be able to:</p>
<ul aria-label="Requested permissions">${items || "<li>Use your account</li>"}</ul>
<form method="post" action="/interaction/${escapeHtml(uid)}/consent">
  <button type="submit" name="decision" value="allow">Allow</button>
  <button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

function expiredPage(): string {
  return page(
    "Demo Tasks - Session expired",
    `<h1>This sign-in link is no longer valid</h1>
<p>Go back to the app and start connecting your Demo Tasks account again.</p>`,
  );
}
