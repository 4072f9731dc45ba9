/** Fixed demo identities: the account name doubles as the OAuth `sub`. */
export const DEMO_ACCOUNTS = ["alice", "bob", "carol"] as const;
export type DemoAccountId = (typeof DEMO_ACCOUNTS)[number];

/** Every demo account shares one password; it is printed on the login page. */
export const DEMO_PASSWORD = "demo";

const DISPLAY_NAMES: Record<DemoAccountId, string> = {
  alice: "Alice",
  bob: "Bob",
  carol: "Carol",
};

export type AccountProfile = { sub: string; name: string; email: string };

export function isDemoAccount(value: string): value is DemoAccountId {
  return (DEMO_ACCOUNTS as readonly string[]).includes(value);
}

export function profileOf(sub: string): AccountProfile | undefined {
  if (!isDemoAccount(sub)) return undefined;
  return { sub, name: DISPLAY_NAMES[sub], email: `${sub}@demo-tasks.test` };
}
