import { ROUTES } from '../../shared/api/routes';
import { nextNotificationSettings } from '../../shared/domain/notifications';
import { http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import type { NotificationRepository } from '../../shared/store/notification-repository';

export interface NotificationsDeps {
  notifications: Pick<NotificationRepository, 'list' | 'settings' | 'saveSettings'>;
  now: () => Date;
}

/** What each department was told, and which department hears of which event (admin). */
export function makeHandler(deps: NotificationsDeps): HttpHandler {
  return router({
    'GET /notifications': http(ROUTES.listNotifications, async ({ query }) => {
      const { department, ...page } = query;
      return ok(await deps.notifications.list(department, page));
    }),

    'GET /settings/notifications': http(ROUTES.getNotificationSettings, async () => ok(await deps.notifications.settings())),

    'PUT /settings/notifications': http(ROUTES.putNotificationSettings, async ({ body, auth }) => {
      const next = nextNotificationSettings(await deps.notifications.settings(), body, `${auth.roles.join('+')}:${auth.principal}`, deps.now());
      await deps.notifications.saveSettings(next);
      return ok(next);
    }),
  });
}
