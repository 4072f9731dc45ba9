// Domain errors a BFF handler may throw; lib/http/route.ts turns each into a problem+json answer
// with its `code`. Pure (no server-only) so domain modules and tests can share them.

export class NotFoundError extends Error {
  readonly code: string = "not_found";
  constructor(message = "Nothing was found at this address.") {
    super(message);
    this.name = "NotFoundError";
  }
}

export class ForbiddenError extends Error {
  readonly code: string = "forbidden";
  constructor(message = "You are not allowed to do this.") {
    super(message);
    this.name = "ForbiddenError";
  }
}

export class BadRequestError extends Error {
  constructor(
    message: string,
    readonly code: string = "invalid_request",
  ) {
    super(message);
    this.name = "BadRequestError";
  }
}

/** The thing already exists (a provider key taken by the catalogue, say). */
export class ConflictError extends Error {
  constructor(
    message: string,
    readonly code: string = "conflict",
  ) {
    super(message);
    this.name = "ConflictError";
  }
}
