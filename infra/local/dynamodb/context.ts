import type { Store } from './dynalite';
import type { RwLock } from './lock';
import type { Change, StreamStore } from './streams';
import type { TtlSettings } from './ttl';

/** What every operation needs: dynalite's store, the lock that orders writes, the streams and TTL settings. */
export interface Context {
  store: Store;
  lock: RwLock;
  streams: StreamStore;
  ttl: TtlSettings;
}

/** Every committed write ends here, inside the write lock: TTL learns the items' expiry times, the stream records the change. */
export async function commit(ctx: Context, changes: Change[]): Promise<void> {
  ctx.ttl.observe(changes);
  await ctx.streams.append(changes);
}
