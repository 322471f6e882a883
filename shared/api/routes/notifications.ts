import * as S from '../schemas-notifications';
import { IF_MATCH_SETTINGS, type RouteDef } from './common';

// The routes functions/notifications serves (its bundle carries these and no others).
export const NOTIFICATIONS_ROUTES = {
  listNotifications: {
    method: 'GET', path: '/notifications', fn: 'notifications', summary: "A department's notifications, newest first",
    auth: ['ops', 'cs', 'finance', 'admin'], query: S.NotificationListQuery,
    responses: { 200: { description: 'A page of notifications', schema: S.NotificationList } },
  },
  getNotificationSettings: {
    method: 'GET', path: '/settings/notifications', fn: 'notifications', summary: 'Which department hears of which event',
    auth: ['admin'], responses: { 200: { description: 'Current settings; ETag is the version', schema: S.NotificationSettingsResponse, headers: ['etag'] } },
  },
  putNotificationSettings: {
    method: 'PUT', path: '/settings/notifications', fn: 'notifications', summary: 'Replace the notification settings (a new version)',
    auth: ['admin'], body: S.NotificationSettingsBody, headers: [IF_MATCH_SETTINGS],
    responses: {
      200: { description: 'Stored as the next version', schema: S.NotificationSettingsResponse, headers: ['etag'] },
      409: { description: 'Another change was stored since that version' },
    },
  },
} as const satisfies Record<string, RouteDef>;
