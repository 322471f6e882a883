import type { Store } from './dynalite';
import type { RwLock } from './lock';
import type { StreamStore } from './streams';
import type { TtlSettings } from './ttl';

/** What every operation needs: dynalite's store, the lock that orders writes, the streams and TTL settings. */
export interface Context {
  store: Store;
  lock: RwLock;
  streams: StreamStore;
  ttl: TtlSettings;
}
