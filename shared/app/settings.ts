import type { ChangeSet } from '../domain/decision';
import { ConflictError } from '../domain/errors';
import { settingsChange, type SettingsChange, type Versioned } from '../domain/settings-change';
import type { Store } from '../store';
import { settingsRepository, type SettingsRepository } from '../store/settings-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, makeWriter, type Writer } from '../store/writer';

export interface SettingsDeps {
  settings: SettingsRepository;
  writer: Pick<Writer, 'commit'>;
}

/** The first stored version replaces the defaults, which carry version 1 and no item. */
const DEFAULTS_VERSION = 1;

/**
 * Workflow (and other admin) settings: read, replace by version with an audit item in
 * the same transaction, and the history. Another admin's change in between fails the
 * version condition: 409 with the version now stored.
 */
export function makeSettings(deps: SettingsDeps) {
  return {
    get: deps.settings.get,
    history: deps.settings.history,

    async replace<T extends Versioned>(kind: string, current: T, next: T): Promise<SettingsChange<T>> {
      const change = settingsChange(current, next);
      const set: ChangeSet<never> = {
        aggregate: { entity: 'settings', id: kind },
        at: next.updatedAt,
        changes: [
          {
            op: 'put', entity: 'settings', id: [kind], tag: 'current', item: { kind, version: next.version, settings: next },
            expect: current.version === DEFAULTS_VERSION ? { orAbsent: true, equals: { version: current.version } } : { equals: { version: current.version } },
          },
          { op: 'put', entity: 'settingsVersion', id: [kind, String(next.version)], tag: 'history', expect: { exists: false }, item: { kind, ...change } },
        ],
        events: [],
        movements: [],
      };
      try {
        await deps.writer.commit(set);
      } catch (err) {
        if (!(err instanceof ConditionFailed)) throw err;
        const version = await deps.settings.storedVersion(kind);
        throw new ConflictError(
          `The ${kind} settings changed meanwhile: version ${version} is stored, the change was made to version ${current.version}`,
          { version, expectedVersion: current.version },
          'stale-version',
          'Settings changed',
        );
      }
      return change;
    },
  };
}
export type Settings = ReturnType<typeof makeSettings>;

/** Settings over one table. */
export const settingsService = (ctx: TableContext | Pick<Store, 'settings'> & { writer: Writer }) => {
  const store = 'writer' in ctx ? ctx : { settings: settingsRepository(ctx), writer: makeWriter(ctx) };
  return makeSettings({ settings: store.settings, writer: store.writer });
};
