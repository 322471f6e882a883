import * as z from 'zod';
import { WorkflowSettings, WorkflowSettingsInput } from '../domain/workflow-settings';
import { ListQuery } from './schemas-common';
import { lazySchema } from '../domain/lazy-schema';

// The workflow settings routes' schemas (re-exported by schemas.ts; routes/settings.ts imports this module).

export { ListQuery };
// A staff screen may send If-Match: "<version>" it showed; a PUT of settings may name it in the body instead.
export const WorkflowSettingsRequest = lazySchema(() =>
  WorkflowSettingsInput.unwrap().extend({
    /** the version this change replaces (or If-Match) */
    version: z.int().min(1).optional(),
  }).meta({ id: 'WorkflowSettingsInput' }),
);
export const WorkflowSettingsResponse = WorkflowSettings.meta({ id: 'WorkflowSettings' });
export const WorkflowSettingsHistory = lazySchema(() =>
  z.object({
    items: z.array(
      z.object({
        version: z.int(),
        previousVersion: z.int(),
        changedAt: z.iso.datetime(),
        changedBy: z.string(),
        changed: z.array(z.string()),
        settings: WorkflowSettings,
      }).meta({ id: 'WorkflowSettingsChange' }),
    ),
    nextCursor: z.string().optional(),
  }),
);
