import { NOTIFICATIONS_ROUTES as ROUTES } from '../../shared/api/routes/notifications';
import { nextNotificationSettings } from '../../shared/domain/notifications';
import { actorLabel, actorOf } from '../../shared/domain/actor';
import { assertReplaces } from '../../shared/domain/settings-change';
import { http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { etag, replacedVersion } from '../../shared/middleware/if-match';
import type { Notifications } from '../../shared/app/notifications';

export interface NotificationsDeps {
  notifications: Pick<Notifications, 'list' | 'settings' | 'saveSettings'>;
  now: () => Date;
}

/** What each department was told, and which department hears of which event (admin). */
export function makeHandler(deps: NotificationsDeps): HttpHandler {
  return router({
    'GET /notifications': http(ROUTES.listNotifications, async ({ query }) => {
      const { department, ...page } = query;
      return ok(await deps.notifications.list(department, page));
    }),

    'GET /settings/notifications': http(ROUTES.getNotificationSettings, async () => {
      const settings = await deps.notifications.settings();
      return { ...ok(settings), headers: etag(settings.version) };
    }),

    // Versioned like the workflow settings: the change names the version it replaces.
    'PUT /settings/notifications': http(ROUTES.putNotificationSettings, async ({ body, auth, event }) => {
      const { version: bodyVersion, ...input } = body;
      const replaces = replacedVersion(event, bodyVersion);
      const stored = await deps.notifications.settings();
      assertReplaces('notification settings', stored, replaces);
      const next = nextNotificationSettings(stored, input, actorLabel(actorOf(auth)), deps.now());
      // conditioned on the stored version too: a change racing this one is a 409 as well
      await deps.notifications.saveSettings(next);
      return { ...ok(next), headers: etag(next.version) };
    }),
  });
}
