// Runs once when the portal's server starts: configuration is checked and migrations applied
// before the first request, so a bad setting stops the start with a sentence instead of a 500 later.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { startPortal } = await import("./lib/startup");
  await startPortal();
}
