import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import { LogFormatter, LogItem, Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { redact } from '../observability/redact';

/** What every line of one request, message or run carries. */
export interface LogContext {
  /** API Gateway's request id, or the `correlationId` of the event being handled */
  correlationId: string;
  orderId?: string;
  [key: string]: unknown;
}

// Per request or per record, not per container: the local cloud runs several invocations
// of a function at once in one worker, and a batch's records are handled concurrently,
// so keys appended on the shared logger would land on each other's lines.
const contexts = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` on every log line it (and whatever it awaits) writes. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return contexts.run({ ...context }, fn);
}

/** Adds keys (an order id learnt on the way) to the current request's or record's lines. */
export function appendLogContext(keys: Partial<LogContext>): void {
  const current = contexts.getStore();
  if (current) Object.assign(current, keys);
}

/**
 * Powertools' JSON shape with the current context merged in, and personal data
 * (names, phones, addresses, e-mails: shared/observability/redact.ts) taken out of
 * every attribute, message and error, whoever wrote the line.
 */
class RedactingLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const lambda = attributes.lambdaContext;
    const line = {
      level: attributes.logLevel,
      message: attributes.message,
      timestamp: this.formatTimestamp(attributes.timestamp),
      service: attributes.serviceName,
      cold_start: lambda?.coldStart,
      function_name: lambda?.functionName,
      function_request_id: lambda?.awsRequestId,
      xray_trace_id: attributes.xRayTraceId,
      ...contexts.getStore(),
      ...additional,
    };
    return new LogItem({ attributes: redact(line, (e) => this.formatError(e)) as LogAttributes });
  }
}

// What runs when an invocation ends, however it ends: the metrics module registers its
// flush here when a function imports it, so a function that records no metrics bundles none.
const endOfInvocation: (() => void)[] = [];

export function onInvocationEnd(hook: () => void): void {
  endOfInvocation.push(hook);
}

export function endInvocation(): void {
  for (const hook of endOfInvocation) hook();
}

/** One invocation: `context` on its log lines, and the end-of-invocation hooks (metrics) run when it ends. */
export async function invocation<T>(context: LogContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await withLogContext(context, fn);
  } finally {
    endInvocation();
  }
}

/** The API request id (and the order in the path) on every log line of the request. */
export function withRequestLogContext<E extends { requestContext?: { requestId?: string }; pathParameters?: Record<string, string | undefined> }, C, R>(
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R> {
  return (event, context) => {
    const orderId = event.pathParameters?.orderId;
    const correlationId = event.requestContext?.requestId ?? 'unknown';
    return invocation({ correlationId, ...(orderId ? { orderId } : {}) }, () => handler(event, context));
  };
}

/** A scheduled run's (or a stream batch's) lines carry the schedule event's id, or else the invocation's. */
export function withRunLogContext<E, R>(handler: (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  return (event, context) => {
    const id = event !== null && typeof event === 'object' ? (event as { id?: unknown }).id : undefined;
    const correlationId = typeof id === 'string' ? id : (context?.awsRequestId ?? 'unknown');
    return invocation({ correlationId }, () => handler(event, context));
  };
}

// One logger per container; service name and level come from POWERTOOLS_* env vars.
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'oms',
  logFormatter: new RedactingLogFormatter(),
});
