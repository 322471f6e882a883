/**
 * A value a container reads again only once its last read is older than `ttlMs` (0: on
 * every call): settings, subscriptions and the like, which change rarely and whose change
 * may take that long to apply. Calls made while a read is under way share it, and a failed
 * read is not kept (the next call reads).
 */
export function readEvery<T>(read: () => Promise<T>, ttlMs: number, clock: () => number = Date.now): () => Promise<T> {
  let last: { value: Promise<T>; until: number } | undefined;
  return () => {
    const now = clock();
    if (!last || last.until <= now) {
      const entry = { value: read(), until: now + ttlMs };
      last = entry;
      entry.value.catch(() => {
        if (last === entry) last = undefined;
      });
    }
    return last.value;
  };
}
