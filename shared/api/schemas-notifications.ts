import * as z from 'zod';
import { DepartmentId, Notification, NotificationSettings, NotificationSettingsInput } from '../domain/notifications';
import { ListQuery } from './schemas-common';
import { lazySchema } from '../domain/lazy-schema';

// The notifications routes' schemas (re-exported by schemas.ts; routes/notifications.ts imports this module).

export const NotificationListQuery = lazySchema(() =>
  z.strictObject({ department: DepartmentId, ...ListQuery.shape }),
);
export const NotificationList = lazySchema(() =>
  z.object({ items: z.array(Notification.meta({ id: 'Notification' })), nextCursor: z.string().optional() }),
);
export const NotificationSettingsBody = lazySchema(() =>
  NotificationSettingsInput.unwrap().extend({
    /** the version this change replaces (or If-Match) */
    version: z.int().min(1).optional(),
  }).meta({ id: 'NotificationSettingsInput' }),
);
export const NotificationSettingsResponse = NotificationSettings.meta({ id: 'NotificationSettings' });
