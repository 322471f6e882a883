import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { WaitsForEarlierEvent } from '../domain/errors';
import { endInvocation, logger, withLogContext, type LogContext } from './logger';

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * An SQS consumer with partial batch failures: each record is handled on its own,
 * and only the records that threw are returned for redelivery (and, after
 * maxReceiveCount, the DLQ). Record handlers must be idempotent.
 */
export function sqsBatch(recordHandler: (record: SQSRecord) => Promise<void>): SqsBatchHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const handle = (record: SQSRecord) => withLogContext(messageLogContext(record), async () => {
    try {
      await recordHandler(record);
    } catch (err) {
      logger.error('Record failed', { messageId: record.messageId, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  });
  return async (event, context) => {
    logger.addContext(context);
    try {
      return await (processPartialResponse(event, handle, processor, { context, throwOnFullBatchFailure: false }) as Promise<SQSBatchResponse>);
    } finally {
      endInvocation();
    }
  };
}

/**
 * An SQS consumer that handles its batch as a whole (to write it in fewer requests), with
 * partial batch failures: the handler resolves to each record's outcome in order, an error
 * for a record to redeliver; a throw redelivers them all. Handlers must be idempotent per
 * record, as with sqsBatch.
 */
export function sqsBatchTogether(
  batchHandler: (records: SQSRecord[]) => Promise<(Error | undefined)[]>,
  opts: {
    /** offers the records that wait for an earlier event again soon (shared/aws-sqs-retry.ts); without it, the queue's visibility timeout */
    retrySooner?: (records: readonly SQSRecord[]) => Promise<void>;
  } = {},
): SqsBatchHandler {
  return async (event, context) => {
    logger.addContext(context);
    try {
      let outcomes: (Error | undefined)[];
      try {
        outcomes = await batchHandler(event.Records);
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        outcomes = event.Records.map(() => error);
      }
      const batchItemFailures = event.Records.flatMap((record, i) => {
        const err = outcomes[i];
        if (!err) return [];
        withLogContext(messageLogContext(record), () => logger.error('Record failed', { messageId: record.messageId, error: err.message }));
        return [{ itemIdentifier: record.messageId }];
      });
      const waiting = event.Records.filter((_, i) => outcomes[i] instanceof WaitsForEarlierEvent);
      if (opts.retrySooner && waiting.length > 0) {
        // if it fails, the queue's visibility timeout brings them back as before
        await opts.retrySooner(waiting).catch((err: unknown) =>
          logger.warn('Retry of waiting messages not brought forward', { messageIds: waiting.map((r) => r.messageId), error: err instanceof Error ? err.message : String(err) }),
        );
      }
      return { batchItemFailures };
    } finally {
      endInvocation();
    }
  };
}

/** The string at `path` in a parsed body, if there is one. */
function textAt(value: unknown, ...path: string[]): string | undefined {
  let v = value;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/**
 * What a message's log lines carry, read without trusting the body (the record handler
 * validates it): a bus event's `correlationId` and `orderId`, or a provider callback's
 * inbox key and order; the message id when the body names no correlation.
 */
export function messageLogContext(record: Pick<SQSRecord, 'body' | 'messageId'>): LogContext {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    // not JSON: the record handler says so
  }
  const correlationId = textAt(body, 'detail', 'metadata', 'correlationId') ?? textAt(body, 'inbox', 'eventKey') ?? record.messageId;
  const orderId = textAt(body, 'detail', 'data', 'orderId') ?? textAt(body, 'notification', 'orderId');
  return { correlationId, ...(orderId ? { orderId } : {}), messageId: record.messageId };
}
