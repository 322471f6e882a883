// Admin-edited settings documents (workflow, notification routing, ...) are
// versioned: a change names the version it replaces and is recorded with who
// changed which fields and when.

import { ConflictError } from './errors';

/** Every stored document carries these; the domain schema says the rest. */
export interface Versioned {
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export interface SettingsChange<T> {
  version: number;
  previousVersion: number;
  changedAt: string;
  changedBy: string;
  /** top-level fields whose value changed */
  changed: string[];
  settings: T;
}

/** Top-level fields whose value differs (the version stamp aside). */
export function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const meta = new Set(['version', 'updatedAt', 'updatedBy']);
  return [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((k) => !meta.has(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}


/** The audit record of replacing `current` with `next`. */
export function settingsChange<T extends Versioned>(current: T, next: T): SettingsChange<T> {
  return {
    version: next.version,
    previousVersion: current.version,
    changedAt: next.updatedAt,
    changedBy: next.updatedBy,
    changed: changedFields(current as unknown as Record<string, unknown>, next as unknown as Record<string, unknown>),
    settings: next,
  };
}

/** A change made to a version other than the stored one is refused whole (409 stale-version). */
export function assertReplaces(what: string, stored: Versioned, replaces: number): void {
  if (stored.version === replaces) return;
  throw new ConflictError(
    `The ${what} changed meanwhile: version ${stored.version} is stored, the change was made to version ${replaces}`,
    { version: stored.version, expectedVersion: replaces },
    'stale-version',
    'Settings changed',
  );
}
