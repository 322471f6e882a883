import type { SQSRecord } from 'aws-lambda';

// A queued step that knows a failed message will succeed soon (an event that overtook the
// one it waits for) offers it again sooner than the queue's visibility timeout, with a
// backoff that keeps the queue's patience: AWS's pattern for Lambda consumers, the function
// changing the visibility of the messages it returns as failed. The SQS client loads with
// the first such message, not with the function: most invocations never need it.

/**
 * Seconds until a message that failed on its nth receive is offered again. Five receives
 * (the queues' maxReceiveCount) wait 5 + 15 + 45 + 120 + 120 = 305 s before the DLQ, as
 * long as five visibility timeouts of 61 s did, but the first retries come within seconds.
 */
export const RETRY_AFTER_SECONDS = [5, 15, 45, 120, 120] as const;

export function retryAfterSeconds(receiveCount: number): number {
  // a missing or odd count reads as the first receive; past the last step, the last step
  const nth = receiveCount >= 1 ? Math.trunc(receiveCount) : 1;
  return RETRY_AFTER_SECONDS[Math.min(nth, RETRY_AFTER_SECONDS.length) - 1]!;
}

/** ChangeMessageVisibilityBatch's limit of entries per call. */
const BATCH_MAX = 10;

/** A handler's `retrySooner` dependency when it knows its queue (QUEUE_URL), none otherwise. */
export const retrySoonerFor = (queueUrl: string | undefined) => (queueUrl ? { retrySooner: retrySoonerOn(queueUrl) } : {});

/** Sets each record's next visibility from its receive count (ChangeMessageVisibilityBatch on `queueUrl`). */
export function retrySoonerOn(queueUrl: string) {
  let sending: Promise<(entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[]) => Promise<unknown>> | undefined;
  return async (records: readonly SQSRecord[]) => {
    if (records.length === 0) return;
    sending ??= import('@aws-sdk/client-sqs').then(({ SQSClient, ChangeMessageVisibilityBatchCommand }) => {
      const client = new SQSClient({});
      return (Entries) => client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries }));
    });
    // a failed load is not kept: the next call tries again
    sending.catch(() => (sending = undefined));
    const send = await sending;
    for (let i = 0; i < records.length; i += BATCH_MAX) {
      const chunk = records.slice(i, i + BATCH_MAX);
      await send(chunk.map((r, j) => ({ Id: String(j), ReceiptHandle: r.receiptHandle, VisibilityTimeout: retryAfterSeconds(Number(r.attributes.ApproximateReceiveCount)) })));
    }
  };
}
