// Change streams: one per table with StreamSpecification enabled, one shard each. Records are kept
// in the same LevelDB as the items (own key prefix), so they survive a restart with a data dir.
// Appends happen inside the write lock, right after the items were written, so record order is
// commit order; sequence numbers come from one counter shared by all streams.
import { randomUUID } from 'node:crypto';
import type { Item, Store, TableDescription } from './dynalite';
import { itemSize, keyAttributes } from './dynalite';
import { resourceNotFound, validationError } from './errors';
import { sameItem } from './items';

export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

export interface StreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventVersion: '1.1';
  eventSource: 'aws:dynamodb';
  awsRegion: string;
  dynamodb: {
    ApproximateCreationDateTime: number;
    Keys: Item;
    NewImage?: Item;
    OldImage?: Item;
    SequenceNumber: string;
    SizeBytes: number;
    StreamViewType: StreamViewType;
  };
  eventSourceARN: string;
  userIdentity?: { type: string; principalId: string };
}

export interface LocalStreams {
  streamArn(tableName: string): string | undefined;
  read(streamArn: string, afterSequenceNumber: string | undefined, limit: number): Promise<StreamRecord[]>;
  onAppend(listener: (streamArn: string) => void): () => void;
}

/** One write as seen by the stream: the item before and after (undefined = absent). */
export interface Change {
  table: TableDescription;
  oldItem: Item | undefined;
  newItem: Item | undefined;
  userIdentity?: StreamRecord['userIdentity'];
}

interface StreamMeta {
  arn: string;
  label: string;
  tableName: string;
  viewType: StreamViewType;
  enabled: boolean;
  /** The table was deleted: the stream stays readable but no longer belongs to a table of that name. */
  detached?: boolean;
  keySchema: TableDescription['KeySchema'];
}

const RETENTION_MS = 24 * 60 * 60 * 1000;
const SEQ_WIDTH = 21;
const SHARD_ID = 'shardId-00000000000000000001-00000001';
const META_PREFIX = 'oms-stream~';
const RECORD_PREFIX = 'oms-record~';
const SEQ_KEY = 'oms-seq';
const VIEW_TYPES: StreamViewType[] = ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'];

export const padSequence = (n: bigint) => n.toString().padStart(SEQ_WIDTH, '0');
const recordKey = (arn: string, seq: string) => `${RECORD_PREFIX}${arn}~${seq}`;

export class StreamStore implements LocalStreams {
  private readonly metas = new Map<string, StreamMeta>(); // by arn
  private readonly listeners = new Set<(arn: string) => void>();
  private lastSeq = 0n;

  constructor(
    private readonly store: Store,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  async load(): Promise<void> {
    for await (const [, meta] of this.store.db.iterator({ gt: META_PREFIX, lt: `${META_PREFIX}\xff` })) {
      const m = meta as StreamMeta;
      this.metas.set(m.arn, m);
    }
    const seq = await this.store.db.get(SEQ_KEY);
    if (typeof seq === 'string') this.lastSeq = BigInt(seq);
  }

  /** The table's newest stream, enabled or not. */
  latest(tableName: string): StreamMeta | undefined {
    let found: StreamMeta | undefined;
    for (const m of this.metas.values())
      if (m.tableName === tableName && !m.detached && (!found || m.label > found.label)) found = m;
    return found;
  }

  streamArn(tableName: string): string | undefined {
    const m = this.latest(tableName);
    return m?.enabled ? m.arn : undefined;
  }

  /** The enabled stream of every table that has one, by table name. */
  arns(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const m of this.metas.values()) if (!(m.tableName in out) && this.streamArn(m.tableName)) out[m.tableName] = this.streamArn(m.tableName)!;
    return out;
  }

  async enable(table: TableDescription, viewType: unknown): Promise<void> {
    if (!VIEW_TYPES.includes(viewType as StreamViewType))
      throw validationError('One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true');
    if (this.streamArn(table.TableName))
      throw validationError(`Table already has an enabled stream: ${this.latest(table.TableName)!.arn}`);
    // Labels must differ when a stream is re-enabled within the same millisecond.
    let label = new Date().toISOString().replace('Z', '');
    while ([...this.metas.values()].some((m) => m.tableName === table.TableName && m.label >= label))
      label = new Date(Date.parse(`${label}Z`) + 1).toISOString().replace('Z', '');
    const arn = `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${table.TableName}/stream/${label}`;
    await this.saveMeta({ arn, label, tableName: table.TableName, viewType: viewType as StreamViewType, enabled: true, keySchema: table.KeySchema });
  }

  async disable(tableName: string): Promise<void> {
    const m = this.latest(tableName);
    if (m?.enabled) await this.saveMeta({ ...m, enabled: false });
  }

  /** The table is gone: its streams are disabled and a table created later under the name starts afresh. */
  async detach(tableName: string): Promise<void> {
    for (const m of [...this.metas.values()]) if (m.tableName === tableName && !m.detached) await this.saveMeta({ ...m, enabled: false, detached: true });
  }

  /** Fields DescribeTable reports for the table's stream. */
  describe(tableName: string): Record<string, unknown> {
    const m = this.latest(tableName);
    if (!m) return {};
    return {
      ...(m.enabled ? { StreamSpecification: { StreamEnabled: true, StreamViewType: m.viewType } } : {}),
      LatestStreamArn: m.arn,
      LatestStreamLabel: m.label,
    };
  }

  /** Appends one record per change that really changed an item. Call inside the write lock. */
  async append(changes: Change[]): Promise<void> {
    const ops: { type: 'put'; key: string; value: unknown }[] = [];
    const touched = new Set<string>();
    const now = Date.now();
    for (const change of changes) {
      const meta = this.enabledMeta(change.table.TableName);
      if (!meta || sameItem(change.oldItem, change.newItem)) continue;
      const record = this.toRecord(meta, change, now);
      ops.push({ type: 'put', key: recordKey(meta.arn, record.dynamodb.SequenceNumber), value: record });
      touched.add(meta.arn);
    }
    if (ops.length === 0) return;
    ops.push({ type: 'put', key: SEQ_KEY, value: padSequence(this.lastSeq) });
    await this.store.db.batch(ops);
    // A failing listener must not turn a committed write into an error for the writer.
    for (const arn of touched)
      for (const listener of this.listeners)
        try {
          listener(arn);
        } catch {
          // the consumer's problem; it can catch up with read()
        }
  }

  async read(streamArn: string, afterSequenceNumber: string | undefined, limit: number): Promise<StreamRecord[]> {
    const records: StreamRecord[] = [];
    for await (const [, value] of this.store.db.iterator(this.range(streamArn, afterSequenceNumber, limit))) records.push(value as StreamRecord);
    return records;
  }

  /** The records read() finds, as the JSON text of their array, left undecoded (for passing them on to another thread). */
  async readJson(streamArn: string, afterSequenceNumber: string | undefined, limit: number): Promise<string> {
    const texts: string[] = [];
    for await (const [, value] of this.store.db.iterator({ ...this.range(streamArn, afterSequenceNumber, limit), valueEncoding: 'utf8' })) texts.push(value as string);
    return `[${texts.join(',')}]`;
  }

  private range(streamArn: string, afterSequenceNumber: string | undefined, limit: number) {
    if (!this.metas.has(streamArn)) throw resourceNotFound(`Requested resource not found: Stream: ${streamArn} not found`);
    const after = afterSequenceNumber === undefined ? undefined : padSequence(BigInt(afterSequenceNumber));
    return { gt: after ? recordKey(streamArn, after) : recordKey(streamArn, ''), lt: recordKey(streamArn, '\xff'), limit };
  }

  onAppend(listener: (streamArn: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops records older than the 24 h retention. */
  async trim(now = Date.now()): Promise<void> {
    const cutoff = (now - RETENTION_MS) / 1000;
    for (const arn of this.metas.keys()) {
      const stale: { type: 'del'; key: string }[] = [];
      for await (const [key, value] of this.store.db.iterator({ gt: recordKey(arn, ''), lt: recordKey(arn, '\xff') })) {
        if ((value as StreamRecord).dynamodb.ApproximateCreationDateTime >= cutoff) break;
        stale.push({ type: 'del', key });
      }
      if (stale.length > 0) await this.store.db.batch(stale);
    }
  }

  // --- DynamoDB Streams API (the subset a poller needs) ---

  async handle(operation: string, body: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'ListStreams':
        return this.listStreams(body);
      case 'DescribeStream':
        return this.describeStream(body);
      case 'GetShardIterator':
        return this.getShardIterator(body);
      case 'GetRecords':
        return this.getRecords(body);
      default:
        throw new UnknownOperation();
    }
  }

  private listStreams(body: Record<string, unknown>) {
    const streams = [...this.metas.values()]
      .filter((m) => body.TableName === undefined || m.tableName === body.TableName)
      .sort((a, b) => (a.arn < b.arn ? -1 : 1))
      .map((m) => ({ StreamArn: m.arn, TableName: m.tableName, StreamLabel: m.label }));
    return { Streams: streams };
  }

  private async describeStream(body: Record<string, unknown>) {
    const m = this.meta(body.StreamArn);
    const [first] = await this.read(m.arn, undefined, 1);
    return {
      StreamDescription: {
        StreamArn: m.arn,
        StreamLabel: m.label,
        StreamStatus: m.enabled ? 'ENABLED' : 'DISABLED',
        StreamViewType: m.viewType,
        CreationRequestDateTime: Date.parse(`${m.label}Z`) / 1000,
        TableName: m.tableName,
        KeySchema: m.keySchema,
        Shards: [
          {
            ShardId: SHARD_ID,
            SequenceNumberRange: { StartingSequenceNumber: first?.dynamodb.SequenceNumber ?? padSequence(1n) },
          },
        ],
      },
    };
  }

  private getShardIterator(body: Record<string, unknown>) {
    const m = this.meta(body.StreamArn);
    if (body.ShardId !== SHARD_ID) throw resourceNotFound(`Requested resource not found: Shard: ${String(body.ShardId)} in Stream: ${m.arn} not found`);
    const seq = typeof body.SequenceNumber === 'string' && /^\d+$/.test(body.SequenceNumber) ? BigInt(body.SequenceNumber) : undefined;
    let after: string;
    switch (body.ShardIteratorType) {
      case 'TRIM_HORIZON':
        after = '';
        break;
      case 'LATEST':
        after = padSequence(this.lastSeq);
        break;
      case 'AT_SEQUENCE_NUMBER':
      case 'AFTER_SEQUENCE_NUMBER':
        if (seq === undefined) throw validationError('SequenceNumber is required for ShardIteratorType ' + String(body.ShardIteratorType));
        after = padSequence(body.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? seq - 1n : seq);
        break;
      default:
        throw validationError(`1 validation error detected: Value '${String(body.ShardIteratorType)}' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]`);
    }
    return { ShardIterator: encodeIterator(m.arn, after) };
  }

  private async getRecords(body: Record<string, unknown>) {
    const position = decodeIterator(body.ShardIterator);
    const limit = typeof body.Limit === 'number' ? Math.min(Math.max(body.Limit, 1), 1000) : 1000;
    const records = await this.read(position.arn, position.after || undefined, limit);
    const last = records.at(-1)?.dynamodb.SequenceNumber ?? position.after;
    return {
      // The Streams API leaves out eventSourceARN (Lambda adds it).
      Records: records.map(({ eventSourceARN: _arn, ...rest }) => rest),
      NextShardIterator: encodeIterator(position.arn, last),
    };
  }

  private meta(arn: unknown): StreamMeta {
    const m = typeof arn === 'string' ? this.metas.get(arn) : undefined;
    if (!m) throw resourceNotFound(`Requested resource not found: Stream: ${String(arn)} not found`);
    return m;
  }

  private enabledMeta(tableName: string): StreamMeta | undefined {
    const m = this.latest(tableName);
    return m?.enabled ? m : undefined;
  }

  private async saveMeta(meta: StreamMeta): Promise<void> {
    await this.store.db.batch([{ type: 'put', key: META_PREFIX + meta.arn, value: meta }]);
    this.metas.set(meta.arn, meta);
  }

  private toRecord(meta: StreamMeta, change: Change, now: number): StreamRecord {
    const { oldItem, newItem } = change;
    const Keys = keyAttributes(change.table, (newItem ?? oldItem)!);
    const withNew = meta.viewType === 'NEW_IMAGE' || meta.viewType === 'NEW_AND_OLD_IMAGES';
    const withOld = meta.viewType === 'OLD_IMAGE' || meta.viewType === 'NEW_AND_OLD_IMAGES';
    const NewImage = withNew ? newItem : undefined;
    const OldImage = withOld ? oldItem : undefined;
    this.lastSeq += 1n;
    return {
      eventID: randomUUID().replaceAll('-', ''),
      eventName: !oldItem ? 'INSERT' : !newItem ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(now / 1000),
        Keys,
        ...(NewImage ? { NewImage } : {}),
        ...(OldImage ? { OldImage } : {}),
        SequenceNumber: padSequence(this.lastSeq),
        SizeBytes: itemSize(Keys) + (NewImage ? itemSize(NewImage) : 0) + (OldImage ? itemSize(OldImage) : 0),
        StreamViewType: meta.viewType,
      },
      eventSourceARN: meta.arn,
      ...(change.userIdentity ? { userIdentity: change.userIdentity } : {}),
    };
  }
}

export class UnknownOperation extends Error {}

function encodeIterator(arn: string, after: string): string {
  return Buffer.from(JSON.stringify({ arn, after })).toString('base64url');
}

function decodeIterator(iterator: unknown): { arn: string; after: string } {
  try {
    const parsed = JSON.parse(Buffer.from(String(iterator), 'base64url').toString()) as { arn?: unknown; after?: unknown };
    if (typeof parsed.arn === 'string' && typeof parsed.after === 'string') return { arn: parsed.arn, after: parsed.after };
  } catch {
    // fall through to the error below
  }
  throw validationError('Invalid ShardIterator');
}

