// The one error type: anything the vault refuses or fails to do, told to a caller, is a VaultError
// with an HTTP status, a stable machine `code`, a title, a sentence (the message, shown as the
// problem's `detail`) and extension members (RFC 9457), e.g. the provider's status. Domain code
// throws it; lib/http/problem.ts `toProblem()` turns it into problem+json for every route wrapper,
// and the token endpoint into RFC 6749 JSON. Pure: no HTTP library, usable anywhere, client code too.
// Nothing in it may ever carry a token or a provider's body.

export type ErrorExtensions = Readonly<Record<string, string | number | boolean>>;

const TITLES: Record<number, string> = {
  400: "Invalid request",
  401: "Access token refused",
  403: "Forbidden",
  404: "Not found",
  409: "Conflict",
  429: "Too many requests",
  500: "Internal error",
  502: "Provider error",
  503: "Temporarily unavailable",
  504: "Provider timeout",
};

export type VaultErrorOptions = {
  title?: string;
  /** Response headers the answer must carry (a challenge, say). */
  headers?: Readonly<Record<string, string>>;
  cause?: unknown;
};

export class VaultError extends Error {
  readonly title: string;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly extensions: ErrorExtensions = {},
    options: VaultErrorOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "VaultError";
    this.title = options.title ?? TITLES[status] ?? "Request refused";
    this.headers = options.headers ?? {};
  }

  /** The sentence for the person or program that made the request. */
  get detail(): string {
    return this.message;
  }
}

export class NotFoundError extends VaultError {
  constructor(message = "Nothing was found at this address.", code = "not_found") {
    super(404, code, message);
    this.name = "NotFoundError";
  }
}

export class ForbiddenError extends VaultError {
  constructor(message = "You are not allowed to do this.", code = "forbidden") {
    super(403, code, message);
    this.name = "ForbiddenError";
  }
}

export class BadRequestError extends VaultError {
  constructor(message: string, code = "invalid_request") {
    super(400, code, message);
    this.name = "BadRequestError";
  }
}

/** The thing already exists, or changed under the request (a provider key taken, a concurrent edit). */
export class ConflictError extends VaultError {
  constructor(message: string, code = "conflict") {
    super(409, code, message);
    this.name = "ConflictError";
  }
}
