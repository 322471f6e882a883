// Event source mapping for a queue, as Lambda runs it: long-poll up to BatchSize
// messages, invoke the function with SQS records, delete what succeeded. With
// ReportBatchItemFailures only the reported items stay; a thrown error keeps the whole
// batch. What is not deleted becomes visible again after the visibility timeout, and
// the queue's redrive policy moves it to the dead-letter queue in the end.
import type { InvokeResult } from './lambda-runtime';
import type { LocalQueues, ReceivedMessage } from './queues';
import type { MappingSpec } from './template';

export function sqsRecord(m: ReceivedMessage, queueArn: string, region: string) {
  const messageAttributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    messageAttributes[k] = {
      stringValue: v.StringValue,
      binaryValue: v.BinaryValue,
      stringListValues: [],
      binaryListValues: [],
      dataType: v.DataType,
    };
  }
  return {
    messageId: m.MessageId,
    receiptHandle: m.ReceiptHandle,
    body: m.Body,
    attributes: m.Attributes,
    messageAttributes,
    md5OfBody: m.MD5OfBody,
    ...(m.MD5OfMessageAttributes ? { md5OfMessageAttributes: m.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** Which messages failed, from the function's answer; undefined means "the whole batch". */
export function failedMessageIds(mapping: MappingSpec, result: InvokeResult, batch: ReceivedMessage[]): Set<string> | undefined {
  if (!result.ok) return undefined;
  if (!mapping.reportBatchItemFailures) return new Set();
  const r = result.result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null;
  const failures = r?.batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return undefined;
  const ids = new Set(batch.map((m) => m.MessageId));
  const failed = new Set<string>();
  for (const f of failures) {
    // An empty or unknown identifier makes Lambda treat the whole batch as failed.
    if (typeof f?.itemIdentifier !== 'string' || !ids.has(f.itemIdentifier)) return undefined;
    failed.add(f.itemIdentifier);
  }
  return failed;
}

export interface Poller {
  stop(): Promise<void>;
}

export function startSqsPoller(opts: {
  mapping: MappingSpec;
  queues: LocalQueues;
  invoke: (fn: string, event: unknown) => Promise<InvokeResult>;
  region: string;
  concurrency: number;
  log: (line: string) => void;
}): Poller {
  const { mapping, queues, log } = opts;
  const queue = queues.find(mapping.sourceArn);
  const abort = new AbortController();
  const loop = async () => {
    while (!abort.signal.aborted) {
      let batch: ReceivedMessage[];
      try {
        batch = await queues.receive(queue.name, Math.min(10, mapping.batchSize), undefined, 20, abort.signal);
      } catch (err) {
        log(`${mapping.functionName} poller: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (batch.length === 0) continue;
      // With a batching window, Lambda keeps gathering until the batch is full or the window ends.
      const until = Date.now() + mapping.maxBatchingWindowSeconds * 1000;
      while (batch.length < mapping.batchSize && Date.now() < until && !abort.signal.aborted) {
        const more = await queues.receive(queue.name, Math.min(10, mapping.batchSize - batch.length), undefined, (until - Date.now()) / 1000, abort.signal);
        batch.push(...more);
      }
      if (abort.signal.aborted) {
        // stopped while gathering: the batch never reached the function, so it is visible again
        // at once (after a restart) instead of after the visibility timeout
        for (const m of batch) await queues.changeVisibility(queue.name, m.ReceiptHandle, 0).catch(() => {});
        break;
      }
      const result = await opts.invoke(mapping.functionName, { Records: batch.map((m) => sqsRecord(m, queue.arn, opts.region)) });
      const failed = failedMessageIds(mapping, result, batch);
      if (failed === undefined) {
        const why = result.ok ? 'invalid batchItemFailures' : `${result.error.errorType}: ${result.error.errorMessage}`;
        log(`${mapping.functionName} batch ${batch.length} from ${queue.name} failed ${result.durationMs}ms (${why}); retried after the visibility timeout`);
        continue;
      }
      for (const m of batch) {
        if (!failed.has(m.MessageId)) await queues.delete(queue.name, m.ReceiptHandle).catch(() => {});
      }
      log(
        failed.size
          ? `${mapping.functionName} batch ${batch.length} from ${queue.name}: ${failed.size} failed, retried after the visibility timeout ${result.durationMs}ms`
          : `${mapping.functionName} batch ${batch.length} ok ${result.durationMs}ms`,
      );
    }
  };
  const loops = mapping.enabled ? Array.from({ length: Math.max(1, opts.concurrency) }, () => loop()) : [];
  return {
    async stop() {
      abort.abort();
      await Promise.allSettled(loops);
    },
  };
}
