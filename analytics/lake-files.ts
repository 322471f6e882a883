// The event lake's objects read directly (no SQL engine): every record of every object
// under <folder>/events/dt=YYYY-MM-DD/, gzip-compressed or not, one EventBridge event a
// line. The local delivery stream writes this layout under the data folder; an S3 prefix
// copied down (`aws s3 sync s3://<lake bucket>/events/ <folder>/events/`) has it too.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { EVENTS_PREFIX, PARTITION_KEY } from './lake';

const gunzipAsync = promisify(gunzip);

/** The records of the lake under `folder`, partition by partition, as parsed JSON. */
export async function readLakeRecords(folder: string): Promise<unknown[]> {
  const root = join(folder, EVENTS_PREFIX);
  if (!existsSync(root)) return [];
  const records: unknown[] = [];
  const partitions = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name.startsWith(`${PARTITION_KEY}=`));
  for (const p of partitions.map((d) => d.name).sort()) {
    for (const name of (await readdir(join(root, p))).sort()) {
      if (name.endsWith('.part')) continue; // an object still being written
      const raw = await readFile(join(root, p, name));
      const text = (name.endsWith('.gz') ? await gunzipAsync(raw) : raw).toString('utf8');
      for (const line of text.split('\n')) if (line.trim()) records.push(JSON.parse(line));
    }
  }
  return records;
}
