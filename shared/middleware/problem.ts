import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { DomainError, ValidationError } from '../domain/errors';
import { logger } from './logger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed',
  409: 'Conflict', 413: 'Request body too large', 415: 'Unsupported media type', 422: 'Unprocessable content',
  429: 'Too many requests', 500: 'Internal error',
};

/** RFC 9457 problem document for any error; unknown errors become a 500 that leaks nothing. */
export function toProblem(err: unknown, instance?: string): Problem {
  if (err instanceof DomainError) {
    return {
      ...err.extensions,
      type: `/problems/${err.slug}`,
      title: err.title,
      status: err.status,
      detail: err.message,
      ...(instance ? { instance } : {}),
      ...(err instanceof ValidationError && err.errors.length > 0 ? { errors: err.errors } : {}),
    };
  }
  // errors raised by middy middlewares carry a client status and are safe to expose
  const status = (err as { statusCode?: unknown })?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: boolean }).expose !== false) {
    return {
      type: 'about:blank',
      title: STATUS_TITLES[status] ?? 'Client error',
      status,
      detail: (err as Error).message,
      ...(instance ? { instance } : {}),
    };
  }
  logger.error('Unhandled error', err instanceof Error ? err : String(err));
  return { type: 'about:blank', title: 'Internal error', status: 500, detail: 'An unexpected error occurred', ...(instance ? { instance } : {}) };
}

export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problem),
  };
}
