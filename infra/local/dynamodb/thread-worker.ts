// Inside the endpoint's worker thread: the local DynamoDB endpoint, with a small message
// protocol for what the main thread needs besides HTTP (stream reads, appends, stats, stop).
import { parentPort, workerData } from 'node:worker_threads';
import { startLocalDynamo, type LocalDynamoOptions } from './index';
import type { StreamStore } from './streams';

export type ThreadRequest = { op: 'read'; arn: string; after: string | undefined; limit: number } | { op: 'stats' | 'streamArns' | 'stop' };
export type ToThread = ThreadRequest & { id: number };
export type FromThread =
  | { type: 'ready'; url: string; port: number }
  | { type: 'log'; line: string }
  | { type: 'append'; arns: string[] }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; message: string };

const port = parentPort!;
const post = (msg: FromThread) => port.postMessage(msg);
const dynamo = await startLocalDynamo({ ...(workerData as LocalDynamoOptions), log: (line) => post({ type: 'log', line }) });
const streams = dynamo.streams as StreamStore;

// Appends within one turn of the event loop travel as one message.
const appended = new Set<string>();
streams.onAppend((arn) => {
  if (appended.size === 0) setImmediate(() => {
    post({ type: 'append', arns: [...appended] });
    appended.clear();
  });
  appended.add(arn);
});

port.on('message', (msg: ToThread) => {
  const answer = async (): Promise<unknown> => {
    switch (msg.op) {
      case 'read':
        // As stored (JSON text): no decoding here and no structured clone of every image on the way.
        return streams.readJson(msg.arn, msg.after, msg.limit);
      case 'stats':
        return dynamo.stats();
      case 'streamArns':
        return streams.arns();
      case 'stop':
        return dynamo.stop();
    }
  };
  answer().then(
    (value) => post({ type: 'reply', id: msg.id, ok: true, value }),
    (err: unknown) => post({ type: 'reply', id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
  );
});
post({ type: 'ready', url: dynamo.url, port: dynamo.port });
