// Errors in the shape the AWS JSON protocol returns: HTTP 400 + { __type, message }.
// dynalite throws objects with the same { statusCode, body } pair, so both travel the same path.

export type ErrorBody = { __type: string; message?: string; Message?: string; [extra: string]: unknown };

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: ErrorBody,
  ) {
    super(body.message ?? body.Message ?? body.__type);
  }
}

const DYNAMO = 'com.amazonaws.dynamodb.v20120810#';

export const validationError = (message: string) =>
  new ApiError(400, { __type: 'com.amazon.coral.validate#ValidationException', message });

export const resourceNotFound = (message = 'Requested resource not found') =>
  new ApiError(400, { __type: `${DYNAMO}ResourceNotFoundException`, message });

export const dynamoError = (name: string, message: string, extra: Record<string, unknown> = {}) =>
  new ApiError(400, { __type: `${DYNAMO}${name}`, message, ...extra });

/** Errors raised by dynalite carry `statusCode` and `body`; anything else is an internal failure. */
export function isApiError(err: unknown): err is { statusCode: number; body: ErrorBody; message: string } {
  return typeof err === 'object' && err !== null && 'statusCode' in err && 'body' in err;
}
