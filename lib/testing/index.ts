// The shared test worlds, from one import. Each world sets the app's configuration when started,
// so start it before importing anything that reads the configuration or the database (each Vitest
// file is its own process). Databases, PostgreSQL and second instances stay in their own modules
// (db.ts, postgres.ts, instances.ts): they start processes or read the run's injected settings.
export { startConnectWorld, PORTAL_ORIGIN, PORTAL_PORT } from "./connect-harness";
export { startVaultWorld } from "./vault-world";
export { startActionWorld, ISSUER, type ActionWorld, type Answer } from "./action-world";
export { startRouteServer, startUpstream, type RouteServer, type Routes, type Upstream } from "./loopback";
export { agentToken, bearer, delegationToken, issueToken } from "./agent-tokens";
export {
  portalBrowser,
  portalOrigin,
  portalRequest,
  sessionClaims,
  sessionCookie,
  sessionCookieName,
  sessionToken,
  setRole,
  signInDemo,
  type PortalBrowser,
  type PortalRequestInit,
  type SessionPerson,
} from "./portal-session";
export { DEMO_TASKS_CEILING, insertAgent, insertConnection, insertDelegation } from "./fixtures";
export {
  agentWithCredentials,
  basicHeader,
  clientAssertion,
  DELEGATION_ID_TYPE,
  exchangeParams,
  JWT_BEARER,
  TOKEN_EXCHANGE,
  tokenRequest,
  unsignedAssertion,
  type TestClient,
} from "./oauth-clients";
