// The refusals of OAuth client handling. ClientError: a client_id that names no usable client, a
// metadata document that cannot be used, or a client that failed to authenticate (RFC 6749
// `invalid_client`, 400, with a sentence the authorization endpoint may show). RegistrationError:
// RFC 7591 §3.2.2 refusals of a registration. Both are VaultErrors (lib/errors.ts). Pure.
import { VaultError } from "@/lib/errors";

export class ClientError extends VaultError {
  constructor(sentence: string) {
    super(400, "invalid_client", sentence, {}, { title: "Unknown or unusable client" });
    this.name = "ClientError";
  }
}

export type RegistrationErrorCode = "invalid_redirect_uri" | "invalid_client_metadata";

export class RegistrationError extends VaultError {
  declare readonly code: RegistrationErrorCode;
  constructor(code: RegistrationErrorCode, sentence: string) {
    super(400, code, sentence, {}, { title: "Client registration refused" });
    this.name = "RegistrationError";
  }
}
