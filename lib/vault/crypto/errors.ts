import "server-only";
// Why a ciphertext did not open: an unknown key version, a failed integrity check, or a malformed
// envelope. Never a key or a plaintext in the message.

export type VaultCryptoErrorCode = "unknown_key_version" | "integrity" | "malformed";

export class VaultCryptoError extends Error {
  readonly code: VaultCryptoErrorCode;
  constructor(code: VaultCryptoErrorCode, message: string) {
    super(message);
    this.name = "VaultCryptoError";
    this.code = code;
  }
}
