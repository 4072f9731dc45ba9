import "server-only";
// OpenID AuthZEN Authorization API 1.0 PDP metadata (/.well-known/authzen-configuration): the
// vault's identifier as a policy decision point (its issuer) and where its evaluation endpoints are,
// so an AuthZEN enforcement point configured with the vault's URL finds them. No search endpoints:
// the vault answers evaluations only.
import { vaultIssuer } from "@/lib/oauth-server/issuer";

export const AUTHZEN_METADATA_PATH = "/.well-known/authzen-configuration";
export const ACCESS_EVALUATION_PATH = "/access/v1/evaluation";
export const ACCESS_EVALUATIONS_PATH = "/access/v1/evaluations";

export function pdpMetadata(issuer: string = vaultIssuer()) {
  return {
    policy_decision_point: issuer,
    access_evaluation_endpoint: `${issuer}${ACCESS_EVALUATION_PATH}`,
    access_evaluations_endpoint: `${issuer}${ACCESS_EVALUATIONS_PATH}`,
  };
}
