import * as z from 'zod';

/**
 * A schema built on its first use (a parse, the OpenAPI document, an `unwrap()`) instead of
 * when its module loads. zod builds every schema of a module as it loads, and a function's
 * bundle loads many modules for a few of their schemas: the order's, for one, come with
 * the store into nearly every bundle. Parsing is the same as with the schema itself; derive
 * from it (`extend`, `pick`, `omit`) with `unwrap()` inside another lazySchema, so the
 * derived schema waits too.
 */
export function lazySchema<T extends z.ZodType>(build: () => T): z.ZodLazy<T> {
  let schema: T | undefined;
  return z.lazy(() => (schema ??= build()));
}
