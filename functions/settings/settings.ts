import { SETTINGS_ROUTES as ROUTES } from '../../shared/api/routes/settings';
import { assertReplaces } from '../../shared/domain/settings-change';
import { defaultWorkflowSettings, WorkflowSettings, nextWorkflowSettings } from '../../shared/domain/workflow-settings';
import { http, ok, router, type HttpHandler } from '../../shared/middleware/http';
import { etag, replacedVersion } from '../../shared/middleware/if-match';
import { logger } from '../../shared/middleware/logger';
import type { Settings } from '../../shared/app/settings';

export const WORKFLOW = 'workflow';

export interface SettingsDeps {
  settings: Pick<Settings, 'get' | 'replace' | 'history'>;
  now: () => Date;
}

/** Workflow settings: read (defaults until first changed), replace by version, and the audit trail. */
export function makeHandler(deps: SettingsDeps): HttpHandler {
  const current = () => deps.settings.get(WORKFLOW, WorkflowSettings, defaultWorkflowSettings());

  return router({
    'GET /settings/workflow': http(ROUTES.getWorkflowSettings, async () => {
      const settings = await current();
      return { ...ok(settings), headers: etag(settings.version) };
    }),

    'PUT /settings/workflow': http(ROUTES.putWorkflowSettings, async ({ body, auth, event }) => {
      const { version: bodyVersion, ...input } = body;
      const replaces = replacedVersion(event, bodyVersion);
      const stored = await current();
      assertReplaces('workflow settings', stored, replaces);
      const next = nextWorkflowSettings(stored, input, auth.principal, deps.now());
      const change = await deps.settings.replace(WORKFLOW, stored, next);
      logger.info('Workflow settings changed', { version: next.version, changed: change.changed, by: auth.principal });
      return { ...ok(next), headers: etag(next.version) };
    }),

    'GET /settings/workflow/history': http(ROUTES.workflowSettingsHistory, async ({ query }) =>
      ok(await deps.settings.history(WORKFLOW, { limit: query.limit, ...(query.cursor !== undefined ? { cursor: query.cursor } : {}) })),
    ),
  });
}
