// Event source mapping for the table's change stream, as Lambda runs it: records in
// order, FilterCriteria applied (records no filter matches are skipped), batches of
// BatchSize, ReportBatchItemFailures (retry from the first failed sequence number),
// bisect on error, MaximumRetryAttempts then the OnFailure destination, and a durable
// checkpoint so a restart resumes where it stopped. A first start without checkpoint
// reads from the oldest kept record (TRIM_HORIZON) whatever StartingPosition says:
// locally the table and its stream are born with the cloud, so nothing is missed.
import type { LocalStreams, StreamRecord } from './dynamodb';
import { matchesPattern } from './event-pattern';
import type { InvokeResult } from './lambda-runtime';
import type { Poller } from './sqs-poller';
import type { MappingSpec } from './template';

/** What the poller needs of the local DynamoDB endpoint's streams (records in AWS's format). */
export type StreamSource = Pick<LocalStreams, 'read' | 'onAppend'>;

export interface Checkpoints {
  get(id: string): Promise<string | undefined>;
  set(id: string, sequenceNumber: string): Promise<void>;
}

const seqOf = (r: StreamRecord) => r.dynamodb.SequenceNumber;

export function passesFilters(filters: unknown[], record: unknown): boolean {
  return filters.length === 0 || filters.some((f) => matchesPattern(f, record));
}

/** The sequence number to retry from, from the function's answer; undefined means "the whole batch". */
export function firstFailure(mapping: MappingSpec, result: InvokeResult, batch: StreamRecord[]): string | null | undefined {
  if (!result.ok) return undefined;
  if (!mapping.reportBatchItemFailures) return null;
  const failures = (result.result as { batchItemFailures?: { itemIdentifier?: unknown }[] } | null)?.batchItemFailures;
  if (failures === undefined || failures === null || (Array.isArray(failures) && failures.length === 0)) return null;
  if (!Array.isArray(failures)) return undefined;
  const seqs = new Set(batch.map(seqOf));
  let first: string | undefined;
  for (const f of failures) {
    if (typeof f?.itemIdentifier !== 'string' || !seqs.has(f.itemIdentifier)) return undefined;
    if (first === undefined || BigInt(f.itemIdentifier) < BigInt(first)) first = f.itemIdentifier;
  }
  return first;
}

export function startStreamPoller(opts: {
  mapping: MappingSpec;
  streams: StreamSource;
  streamArn: string;
  checkpoints: Checkpoints;
  invoke: (fn: string, event: unknown) => Promise<InvokeResult>;
  /** Sends the failure record to the OnFailure destination (a queue). */
  onFailure?: (destinationArn: string, body: string) => Promise<void>;
  functionArn: string;
  log: (line: string) => void;
}): Poller {
  const { mapping, streams, streamArn, checkpoints, log } = opts;
  const id = mapping.logicalId;
  let stopped = false;
  let wake: (() => void) | undefined;
  // Set by an append that happens while a read is in flight, so the loop does not sleep past it.
  let appended = false;
  const unsubscribe = streams.onAppend((arn) => {
    if (arn !== streamArn) return;
    appended = true;
    wake?.();
  });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (appended || stopped) {
        appended = false;
        return resolve();
      }
      const t = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(t);
        wake = undefined;
        resolve();
      };
    });

  const loop = async () => {
    let after = await checkpoints.get(id);
    let limit = mapping.batchSize;
    let attempts = 0;
    while (!stopped) {
      let raw: StreamRecord[];
      appended = false;
      try {
        raw = await streams.read(streamArn, after, 1000);
      } catch (err) {
        log(`${mapping.functionName} stream poller: ${(err as Error).message}`);
        await sleep(1000);
        continue;
      }
      if (raw.length === 0) {
        await sleep(1000);
        continue;
      }
      const batch: StreamRecord[] = [];
      let end = seqOf(raw[raw.length - 1]!);
      for (const r of raw) {
        if (!passesFilters(mapping.filters, r)) continue;
        batch.push(r);
        if (batch.length >= limit) {
          end = seqOf(r);
          break;
        }
      }
      if (batch.length === 0) {
        after = end;
        await checkpoints.set(id, after);
        continue;
      }
      const result = await opts.invoke(mapping.functionName, { Records: batch });
      const failedAt = firstFailure(mapping, result, batch);
      if (failedAt === null) {
        // Also while stopping: a batch that finished in the stop's grace period is done.
        log(`${mapping.functionName} stream batch ${batch.length} ok ${result.durationMs}ms`);
        after = end;
        await checkpoints.set(id, after);
        attempts = 0;
        limit = mapping.batchSize;
        continue;
      }
      if (stopped) return;
      attempts += 1;
      const why = result.ok ? (failedAt ? `item ${failedAt} failed` : 'invalid batchItemFailures') : `${result.error.errorType}: ${result.error.errorMessage}`;
      let retryFrom = batch;
      if (failedAt) {
        // Everything before the first failed record is done.
        const i = batch.findIndex((r) => seqOf(r) === failedAt);
        const done = raw.slice(0, raw.findIndex((r) => seqOf(r) === failedAt));
        if (done.length) {
          after = seqOf(done[done.length - 1]!);
          await checkpoints.set(id, after);
        }
        retryFrom = batch.slice(i);
      } else if (!result.ok && mapping.bisectOnError && batch.length > 1) {
        limit = Math.ceil(batch.length / 2);
      }
      log(`${mapping.functionName} stream batch ${batch.length} failed ${result.durationMs}ms (${why}); attempt ${attempts}`);
      if (mapping.maxRetryAttempts >= 0 && attempts > mapping.maxRetryAttempts) {
        const skipped = limit < retryFrom.length ? retryFrom.slice(0, limit) : retryFrom;
        const last = seqOf(skipped[skipped.length - 1]!);
        await giveUp(skipped, result);
        // Skip the records given up on (and any filtered-out ones before them).
        after = last;
        await checkpoints.set(id, after);
        attempts = 0;
        limit = mapping.batchSize;
        continue;
      }
      await sleep(Math.min(100 * 2 ** attempts, 5000));
    }
  };

  const giveUp = async (records: StreamRecord[], result: InvokeResult) => {
    const first = records[0]!;
    const last = records[records.length - 1]!;
    const info = {
      requestContext: {
        requestId: result.requestId,
        functionArn: opts.functionArn,
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: mapping.maxRetryAttempts + 1,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: result.ok ? undefined : 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      DDBStreamBatchInfo: {
        shardId: 'shardId-local',
        startSequenceNumber: seqOf(first),
        endSequenceNumber: seqOf(last),
        approximateArrivalOfFirstRecord: new Date(Number(first.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString(),
        approximateArrivalOfLastRecord: new Date(Number(last.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000).toISOString(),
        batchSize: records.length,
        streamArn,
      },
    };
    if (mapping.onFailureArn && opts.onFailure) {
      await opts.onFailure(mapping.onFailureArn, JSON.stringify(info));
      log(`${mapping.functionName}: retries exhausted, ${records.length} record(s) ${seqOf(first)}..${seqOf(last)} sent to ${mapping.onFailureArn}`);
    } else {
      log(`WARNING ${mapping.functionName}: retries exhausted, ${records.length} record(s) ${seqOf(first)}..${seqOf(last)} skipped (no OnFailure destination)`);
    }
  };

  const running = mapping.enabled ? loop().catch((err) => log(`${mapping.functionName} stream poller crashed: ${(err as Error).stack}`)) : Promise.resolve();
  return {
    async stop() {
      stopped = true;
      unsubscribe();
      wake?.();
      await running;
    },
  };
}
