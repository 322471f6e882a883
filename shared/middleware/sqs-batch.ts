import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { logger } from './logger';

export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * An SQS consumer with partial batch failures: each record is handled on its own,
 * and only the records that threw are returned for redelivery (and, after
 * maxReceiveCount, the DLQ). Record handlers must be idempotent.
 */
export function sqsBatch(recordHandler: (record: SQSRecord) => Promise<void>): SqsBatchHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const handle = async (record: SQSRecord) => {
    try {
      await recordHandler(record);
    } catch (err) {
      logger.error('Record failed', { messageId: record.messageId, error: err instanceof Error ? err.message : String(err) });
      throw err;
    }
  };
  return async (event, context) => {
    logger.addContext(context);
    return processPartialResponse(event, handle, processor, { context, throwOnFullBatchFailure: false }) as Promise<SQSBatchResponse>;
  };
}
