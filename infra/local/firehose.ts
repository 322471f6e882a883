// Kinesis Data Firehose delivery streams to S3, as the template declares them: records
// are buffered per stream and written as one object when the buffer reaches its size
// hint or its interval hint has passed since the oldest record, under the stream's
// prefix (with `!{timestamp:...}` evaluated on the oldest record's arrival, in UTC),
// gzip-compressed when the stream says so, with the delimiter processor's newline.
// Objects go to <dir>/<stream name>/<key>; stop() writes what is still buffered.
import { randomUUID } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { DeliveryStreamSpec } from './template';

const gzipAsync = promisify(gzip);
const MiB = 1024 * 1024;

export interface FirehoseDeps {
  streams: DeliveryStreamSpec[];
  /** Folder of the local "buckets": one subfolder per delivery stream. */
  dir: string;
  log: (line: string) => void;
  now?: () => Date;
}

interface Pending {
  records: Buffer[];
  bytes: number;
  oldest: Date;
  timer: NodeJS.Timeout;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Formats a UTC date with the Java DateTimeFormatter letters Firehose prefixes use (yyyy MM dd HH mm ss). */
export function formatTimestamp(at: Date, pattern: string): string {
  const parts: Record<string, string> = {
    yyyy: String(at.getUTCFullYear()),
    MM: pad(at.getUTCMonth() + 1),
    dd: pad(at.getUTCDate()),
    HH: pad(at.getUTCHours()),
    mm: pad(at.getUTCMinutes()),
    ss: pad(at.getUTCSeconds()),
  };
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => parts[token]!);
}

/** The object key prefix for records that arrived at `at` (Firehose's default is YYYY/MM/DD/HH/). */
export function renderPrefix(prefix: string, at: Date): string {
  if (!prefix) return formatTimestamp(at, 'yyyy/MM/dd/HH/');
  return prefix.replace(/!\{([a-zA-Z]+):([^}]*)\}/g, (whole, namespace: string, arg: string) => {
    if (namespace === 'timestamp') return formatTimestamp(at, arg);
    if (namespace === 'firehose' && arg === 'random-string') return randomUUID().slice(0, 11);
    throw new Error(`prefix expression ${whole} is not emulated locally`);
  });
}

export class LocalFirehose {
  private readonly buffers = new Map<string, Pending>();
  private readonly writing = new Set<Promise<unknown>>();
  private readonly now: () => Date;
  private stopped = false;

  constructor(private readonly deps: FirehoseDeps) {
    this.now = deps.now ?? (() => new Date());
    for (const s of deps.streams) {
      renderPrefix(s.prefix, new Date()); // fails at startup on a prefix we cannot evaluate
      if (s.compression !== 'GZIP' && s.compression !== 'UNCOMPRESSED') {
        deps.log(`WARNING firehose ${s.name}: ${s.compression} compression is not emulated locally; objects are written uncompressed`);
      }
    }
  }

  /** The stream an ARN or name designates. */
  find(arnOrName: string): DeliveryStreamSpec {
    const s = this.deps.streams.find((x) => x.arn === arnOrName || x.name === arnOrName);
    if (!s) throw new Error(`Firehose stream ${arnOrName} not found`);
    return s;
  }

  /** The folder a stream's objects are written under (its "bucket"). */
  folderOf(arnOrName: string): string {
    return join(this.deps.dir, this.find(arnOrName).name);
  }

  /** PutRecord: buffers one record (the data as given, plus the delimiter when the stream appends one). */
  put(arnOrName: string, data: string): void {
    const s = this.find(arnOrName);
    const record = Buffer.from(s.appendDelimiter ? `${data}\n` : data);
    let b = this.buffers.get(s.name);
    if (!b) {
      const timer = setTimeout(() => void this.flushStream(s), s.bufferIntervalSeconds * 1000);
      timer.unref();
      b = { records: [], bytes: 0, oldest: this.now(), timer };
      this.buffers.set(s.name, b);
    }
    b.records.push(record);
    b.bytes += record.length;
    // After stop() nothing waits in a buffer: a late record is written at once.
    if (this.stopped || b.bytes >= s.bufferSizeMb * MiB) void this.flushStream(s);
  }

  /** Writes every buffered record now (all streams, or one); resolves with the objects written. */
  async flush(arnOrName?: string): Promise<string[]> {
    const streams = arnOrName ? [this.find(arnOrName)] : this.deps.streams;
    const files = await Promise.all(streams.map((s) => this.flushStream(s)));
    await Promise.all([...this.writing]);
    return files.filter((f): f is string => f !== undefined);
  }

  /** Writes what is still buffered and waits for objects being written. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.flush();
  }

  private flushStream(s: DeliveryStreamSpec): Promise<string | undefined> {
    const b = this.buffers.get(s.name);
    if (!b) return Promise.resolve(undefined);
    this.buffers.delete(s.name);
    clearTimeout(b.timer);
    const written = this.write(s, b).catch((err: Error) => {
      // Firehose retries S3 for up to a day; locally a failed write (disk full) is reported and lost.
      this.deps.log(`ERROR firehose ${s.name}: ${b.records.length} record(s) not written: ${err.message}`);
      return undefined;
    });
    this.writing.add(written);
    void written.finally(() => this.writing.delete(written));
    return written;
  }

  private async write(s: DeliveryStreamSpec, b: Pending): Promise<string> {
    const body = Buffer.concat(b.records);
    const gzipped = s.compression === 'GZIP';
    const extension = s.fileExtension ?? (gzipped ? '.gz' : '');
    const name = `${s.name}-1-${formatTimestamp(b.oldest, 'yyyy-MM-dd-HH-mm-ss')}-${randomUUID()}${extension}`;
    const file = join(this.deps.dir, s.name, renderPrefix(s.prefix, b.oldest), name);
    await mkdir(dirname(file), { recursive: true });
    // Written aside and renamed: a reader never sees half an object.
    await writeFile(`${file}.part`, gzipped ? await gzipAsync(body) : body);
    await rename(`${file}.part`, file);
    this.deps.log(`firehose ${s.name} -> ${b.records.length} record(s), ${body.length} bytes -> ${file}`);
    return file;
  }
}
