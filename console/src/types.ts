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

// Stock, fulfilment and after-sales screens
export type StockList = z.infer<typeof S.StockListResponse>;
export type StockLevel = z.infer<typeof S.StockLevelResponse>;
export type ReplenishmentItem = z.infer<typeof S.ReplenishmentItem>;
export type StockDetail = z.infer<typeof S.StockDetailResponse>;
export type LedgerList = z.infer<typeof S.LedgerList>;
export type LedgerEntry = LedgerList['items'][number];
export type AdjustmentInput = z.input<typeof S.AdjustmentRequest>;
export type Fulfilment = z.infer<typeof S.FulfilmentView>;
export type PickList = z.infer<typeof S.PickList>;
export type ShipmentInput = z.input<typeof S.CreateShipmentRequest>;
export type ReturnRecord = z.infer<typeof S.ReturnResponse>;
export type ReturnList = z.infer<typeof S.ReturnList>;
export type ReturnPage = z.infer<typeof S.ReturnPage>;
