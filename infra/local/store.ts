// The local cloud's own durable state in the data folder (LevelDB): queue messages
// and stream checkpoints. In memory mode the same interface keeps nothing.
import { Level } from 'level';
import type { MessageStore, StoredMessage } from './queues';
import type { Checkpoints } from './stream-poller';

export interface CloudStore extends MessageStore, Checkpoints {
  /** Every stored message, to put back in its queue at startup. */
  messages(): AsyncIterable<{ queue: string; msg: StoredMessage }>;
  close(): Promise<void>;
}

export async function openStore(location: string | undefined): Promise<CloudStore> {
  if (!location) return memoryStore();
  const db = new Level<string, unknown>(location, { valueEncoding: 'json' });
  await db.open();
  const key = (queue: string, id: string) => `msg!${queue}!${id}`;
  return {
    put: (queue, msg) => db.put(key(queue, msg.messageId), msg),
    del: (queue, id) => db.del(key(queue, id)),
    get: async (id) => (await db.get(`ckpt!${id}`)) as string | undefined,
    set: (id, seq) => db.put(`ckpt!${id}`, seq),
    async *messages() {
      for await (const [k, v] of db.iterator({ gte: 'msg!', lt: 'msg!\xff' })) {
        yield { queue: k.split('!')[1]!, msg: v as StoredMessage };
      }
    },
    close: () => db.close(),
  };
}

function memoryStore(): CloudStore {
  const checkpoints = new Map<string, string>();
  return {
    put: async () => {},
    del: async () => {},
    get: async (id) => checkpoints.get(id),
    set: async (id, seq) => void checkpoints.set(id, seq),
    async *messages() {},
    close: async () => {},
  };
}
