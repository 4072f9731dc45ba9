import { redirect } from "next/navigation";
import { CompanySignIn, DemoSignIn } from "@/components/demo-sign-in";
import { currentPerson } from "@/lib/auth/session";
import { MISSING_CLAIM_ERROR, missingClaimSentence } from "@/lib/auth/oidc";
import { env } from "@/lib/env";
import { DEMO_PEOPLE } from "@/lib/tenancy/demo-people";

const ERRORS: Record<string, string> = {
  CredentialsSignin: "That demo person does not exist. Pick one of the people below.",
  OAuthCallback: "Your company's sign-in did not complete. Try again; if it keeps failing, ask your administrator.",
  Callback: "Your company's sign-in did not complete. Try again; if it keeps failing, ask your administrator.",
  AccessDenied: "Your account is not allowed to use this portal. Ask your administrator for access.",
};

function safeCallback(raw: string | undefined): string {
  // Only same-site paths: an open redirect after sign-in would be a phishing aid.
  return raw && raw.startsWith("/") && !raw.startsWith("//") && !raw.includes("\\") ? raw : "/connections";
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const callbackUrl = safeCallback(params.callbackUrl);
  if (await currentPerson()) redirect(callbackUrl);
  const demo = env().mode === "demo";
  const error = !params.error
    ? null
    : params.error === MISSING_CLAIM_ERROR
      ? missingClaimSentence(params.claim === "role" ? "role" : "tenant", env().oidc)
      : (ERRORS[params.error] ?? "Sign-in failed. Try again.");
  return (
    <main className="signin">
      <div className="card">
        <h1>Token Vault</h1>
        <p className="lead">Connect your accounts once. Agents act for you through the vault and never see your tokens.</p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {demo ? (
          <>
            <p className="note">Demo mode: sign in as one of these people. This choice does not exist in production.</p>
            <DemoSignIn people={DEMO_PEOPLE.map(({ email, name, role, tenantName }) => ({ email, name, role, tenantName }))} callbackUrl={callbackUrl} />
          </>
        ) : (
          <CompanySignIn callbackUrl={callbackUrl} />
        )}
      </div>
    </main>
  );
}
