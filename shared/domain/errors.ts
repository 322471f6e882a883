// Domain errors carry the HTTP status they map to, so the edge can answer with
// problem+json without knowing every rule. Domain code throws; middleware maps.

export interface FieldError {
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 502;
  /** short, stable slug used in the problem `type` URI */
  abstract readonly slug: string;
  abstract readonly title: string;
  /** machine-readable extras merged into the problem document (e.g. which SKUs) */
  readonly extensions: Record<string, unknown>;

  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = new.target.name;
    this.extensions = extensions;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly slug = 'validation';
  readonly title = 'Invalid request';
  constructor(detail: string, readonly errors: FieldError[] = []) {
    super(detail);
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  readonly slug = 'unauthorized';
  readonly title = 'Authentication required';
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  readonly slug = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends DomainError {
  readonly status = 404;
  readonly slug = 'not-found';
  readonly title = 'Not found';
}

export class ConflictError extends DomainError {
  readonly status = 409;
  readonly slug: string;
  readonly title: string;
  constructor(detail: string, extensions: Record<string, unknown> = {}, slug = 'conflict', title = 'Conflict') {
    super(detail, extensions);
    this.slug = slug;
    this.title = title;
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  readonly slug = 'payload-too-large';
  readonly title = 'Request body too large';
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly status = 415;
  readonly slug = 'unsupported-media-type';
  readonly title = 'Unsupported media type';
}

/** A request that is well formed but breaks a business rule (unknown SKU, mixed currencies). */
export class BusinessRuleError extends DomainError {
  readonly status = 422;
  readonly slug: string;
  readonly title = 'Business rule violated';
  constructor(detail: string, extensions: Record<string, unknown> = {}, slug = 'business-rule') {
    super(detail, extensions);
    this.slug = slug;
  }
}

/** A service we depend on (a payment provider) refused or did not answer; nothing of ours is left half done. */
export class UpstreamError extends DomainError {
  readonly status = 502;
  readonly slug: string;
  readonly title = 'Provider unavailable';
  constructor(detail: string, extensions: Record<string, unknown> = {}, slug = 'provider-unavailable') {
    super(detail, extensions);
    this.slug = slug;
  }
}

/**
 * An event that cannot be applied until an earlier event of its order is (it overtook it on the
 * way): no fault of the message. A queued step offers it again sooner than the queue's
 * visibility timeout (shared/middleware/sqs-batch.ts).
 */
export class WaitsForEarlierEvent extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
