import type { Change, ChangeSet } from '../domain/decision';
import { ConflictError } from '../domain/errors';
import { DEFAULT_NOTIFICATION_SETTINGS, type Notification, type NotificationSettings } from '../domain/notifications';
import { storeFor, type Store } from '../store';
import { NOTIFICATION_SETTINGS_KIND, type NotificationRepository } from '../store/notification-repository';
import type { TableContext } from '../store/table';
import type { BatchWriter } from '../store/batch-writer';
import { ConditionFailed } from '../store/writer';

export interface NotificationDeps {
  notifications: NotificationRepository;
  writer: Pick<BatchWriter, 'commit' | 'commitTogether'>;
}

/** What recording a notification found: new, or recorded before (and then whether it was published). */
export type Recorded = { isNew: true } | { isNew: false; publishedAt?: string };

type NotificationKey = Pick<Notification, 'department' | 'occurredAt' | 'eventId'>;

/** A change set of one notification's item (no timeline, no events: the record is the audit trail). */
const notificationSet = (n: NotificationKey, change: Change, at: string): ChangeSet<never> => ({
  aggregate: { entity: 'notification', id: `${n.department}/${n.eventId}` },
  at,
  changes: [change],
  events: [],
  movements: [],
});
const notificationId = (n: NotificationKey) => [n.department, n.occurredAt, n.eventId];

/** Department notifications: the routing settings (versioned), and the record of what each department was told. */
export function makeNotifications(deps: NotificationDeps) {
  const kind = NOTIFICATION_SETTINGS_KIND;
  return {
    ...deps.notifications,

    /**
     * Records a batch's notifications, once per department and event, in as few transactions as
     * they fit. One recorded before comes back as it was (the failed condition returns the old
     * item, no read), so a redelivery learns whether it was published; anything else that failed
     * comes back as its error.
     */
    async recordAll(ns: readonly Notification[]): Promise<(Recorded | Error)[]> {
      const outcomes = await deps.writer.commitTogether(ns.map((n) => notificationSet(n, {
        op: 'put', entity: 'notification', id: notificationId(n), tag: 'record', expect: { exists: false }, returnOld: true, item: { ...n },
      }, n.recordedAt)));
      return outcomes.map((err): Recorded | Error => {
        if (!err) return { isNew: true };
        const old = err instanceof ConditionFailed ? err.find('record')?.old : undefined;
        if (!old) return err;
        return typeof old.publishedAt === 'string' ? { isNew: false, publishedAt: old.publishedAt } : { isNew: false };
      });
    },

    /** Marks notifications handed to their topics, together; each one's outcome (undefined when marked). */
    markAllPublished(ns: readonly NotificationKey[], at: Date): Promise<(Error | undefined)[]> {
      return deps.writer.commitTogether(ns.map((n) => notificationSet(n, {
        op: 'update', entity: 'notification', id: notificationId(n), set: { publishedAt: at.toISOString() },
      }, at.toISOString())));
    },

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
