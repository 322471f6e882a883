import type { ChangeSet } from '../domain/decision';
import { ConflictError } from '../domain/errors';
import { DEFAULT_NOTIFICATION_SETTINGS, type NotificationSettings } from '../domain/notifications';
import { storeFor, type Store } from '../store';
import { NOTIFICATION_SETTINGS_KIND, type NotificationRepository } from '../store/notification-repository';
import type { TableContext } from '../store/table';
import { ConditionFailed, type Writer } from '../store/writer';

export interface NotificationDeps {
  notifications: NotificationRepository;
  writer: Pick<Writer, 'commit'>;
}

/** Department notifications: the routing settings (versioned), and the record of what each department was told. */
export function makeNotifications(deps: NotificationDeps) {
  const kind = NOTIFICATION_SETTINGS_KIND;
  return {
    ...deps.notifications,

    /**
     * Saves the next version, conditioned on the version it was made from (a concurrent
     * edit is a 409), with a history item per version for the audit trail.
     */
    async saveSettings(next: NotificationSettings): Promise<void> {
      const previous = next.version - 1;
      const set: ChangeSet<never> = {
        aggregate: { entity: 'settings', id: kind },
        at: next.updatedAt,
        changes: [
          {
            op: 'put', entity: 'settings', id: [kind], tag: 'current', item: { ...next },
            expect: { equals: { version: previous }, ...(previous === DEFAULT_NOTIFICATION_SETTINGS.version ? { orAbsent: true } : {}) },
          },
          { op: 'put', entity: 'settingsVersion', id: [kind, String(next.version)], tag: 'history', item: { ...next } },
        ],
        events: [],
        movements: [],
      };
      try {
        await deps.writer.commit(set);
      } catch (err) {
        if (err instanceof ConditionFailed && err.find('current')) {
          throw new ConflictError('The notification settings changed meanwhile; reload and retry', { version: previous }, 'stale-settings', 'Stale settings');
        }
        throw err;
      }
    },
  };
}
export type Notifications = ReturnType<typeof makeNotifications>;

/** Notifications over one table. */
export const notificationService = (ctx: TableContext | Store) => {
  const store = 'writer' in ctx ? ctx : storeFor(ctx);
  return makeNotifications({ notifications: store.notifications, writer: store.writer });
};
