import type { z } from 'zod';
import type * as S from '../../shared/api/schemas';
import type * as CS from '../../shared/api/schemas-customer-service';

// The API's answers as the console reads them: inferred from the same zod schemas the
// API validates with and publishes in /openapi.json (types only: no zod in the bundle).

export type OrderResponse = z.infer<typeof S.OrderResponse>;
export type OrderSummaryList = z.infer<typeof S.OrderSummaryList>;
export type OrderSummary = OrderSummaryList['items'][number];
export type OrderStory = z.infer<typeof CS.OrderStoryResponse>;
export type WorkflowSettings = z.infer<typeof S.WorkflowSettingsResponse>;
export type WorkflowSettingsInput = z.input<typeof S.WorkflowSettingsRequest>;
export type WorkflowSettingsHistory = z.infer<typeof S.WorkflowSettingsHistory>;
export type NotificationList = z.infer<typeof S.NotificationList>;
export type Notification = NotificationList['items'][number];
export type RefundAccepted = z.infer<typeof S.RefundAccepted>;
export type Money = OrderResponse['totals']['total'];
