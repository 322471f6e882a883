import * as S from '../schemas-settings';
import { IF_MATCH_SETTINGS, type RouteDef } from './common';

// The routes functions/settings serves (its bundle carries these and no others).
export const SETTINGS_ROUTES = {
  getWorkflowSettings: {
    method: 'GET', path: '/settings/workflow', fn: 'settings', summary: 'Review rules and payment deadline (defaults until changed)',
    auth: ['ops', 'admin'],
    responses: { 200: { description: 'The settings; ETag is the version', schema: S.WorkflowSettingsResponse, headers: ['etag'] } },
  },
  putWorkflowSettings: {
    method: 'PUT', path: '/settings/workflow', fn: 'settings', summary: 'Replace the workflow settings (versioned, audited)',
    auth: ['admin'], body: S.WorkflowSettingsRequest, headers: [IF_MATCH_SETTINGS],
    responses: {
      200: { description: 'Stored as the next version', schema: S.WorkflowSettingsResponse, headers: ['etag'] },
      409: { description: 'Another change was stored since that version' },
    },
  },
  workflowSettingsHistory: {
    method: 'GET', path: '/settings/workflow/history', fn: 'settings', summary: 'Every change of the workflow settings, newest first',
    auth: ['ops', 'admin'], query: S.ListQuery,
    responses: { 200: { description: 'Who changed what, and when', schema: S.WorkflowSettingsHistory } },
  },
} as const satisfies Record<string, RouteDef>;
