import * as z from 'zod';
import { AdjustmentInput, LedgerEntry, Location, LocationId, LocationInput, StockDetail, StockLevel } from '../domain/inventory';
import { Order, PlaceOrderRequest, TimelineEntry } from '../domain/order';
import { OrderStatus } from '../domain/order-status';
import { Customer } from '../domain/customer';
import { ORDER_LOOKUP_FIELDS, OrderSummary, rangeInOrder } from '../domain/order-lookup';
import { DepartmentId, Notification, NotificationSettings, NotificationSettingsInput } from '../domain/notifications';
import { ProductInput, ProductView, Sku } from '../domain/product';
import { WorkflowSettings, WorkflowSettingsInput } from '../domain/workflow-settings';
import { humanText } from '../domain/text';
import { Fulfilment, LineQuantities } from '../domain/fulfilment';
import { ClaimSettlement, ReturnCondition, ReturnKind, ReturnRecord, ReturnStatus } from '../domain/returns';
import { Shipment } from '../domain/shipment';
import { Receipt, ReceiptVerification } from '../payments/receipt';
import { CallbackProvider } from '../payments/port';
import { Currency } from '../domain/money';
import { Carrier, Checkpoint, ShipmentStatus, TrackingProvider } from '../shipping/port';
import { ListQuery } from './schemas-common';
import { MoneySummaryView, PaymentResponse, RefundView } from './schemas-payments';

// Request and response schemas of every route. Handlers validate with them and
// GET /openapi.json is generated from them, so the document cannot drift. The path and
// list schemas every area uses are in schemas-common.ts, the payments routes' own in
// schemas-payments.ts (so the payments function's bundle carries no other area's);
// both are re-exported here.

export * from './schemas-common';
export * from './schemas-payments';

export const HealthResponse = z.object({ status: z.literal('ok'), stage: z.string(), time: z.iso.datetime() });

export const PutProductRequest = ProductInput.meta({ id: 'ProductInput' });
// `cost` is in staff answers only (storefront answers leave it out).
export const ProductResponse = ProductView.meta({ id: 'Product' });
export const ProductList = z.object({ items: z.array(ProductView), nextCursor: z.string().optional() });

export const AdjustmentRequest = AdjustmentInput.meta({ id: 'StockAdjustment' });
export const StockLevelResponse = StockLevel.meta({ id: 'StockLevel' });
export const StockLevelList = z.object({ items: z.array(StockLevel), nextCursor: z.string().optional() });
export const StockDetailResponse = StockDetail.meta({ id: 'StockDetail' });
export const StockListQuery = ListQuery.extend({
  /** `reorderPoint`: only products at or below their reorder point, with a suggested quantity */
  below: z.literal('reorderPoint').optional(),
});
export const ReplenishmentItem = StockLevel.extend({
  reorderPoint: z.int(),
  leadTimeDays: z.int(),
  safetyStock: z.int(),
  /** net units reserved per day over the last 28 days */
  averageDailyDemand: z.number(),
  /** available + on order: what the reorder point is compared with */
  position: z.int(),
  suggestedQuantity: z.int(),
  lowSince: z.iso.datetime().optional(),
}).meta({ id: 'ReplenishmentItem' });
export const StockListResponse = z.union([
  StockLevelList,
  z.object({ items: z.array(ReplenishmentItem), nextCursor: z.string().optional() }),
]);
export const LedgerList = z.object({ items: z.array(LedgerEntry.meta({ id: 'LedgerEntry' })), nextCursor: z.string().optional() });

export const LocationPath = z.strictObject({ locationId: LocationId });
export const PutLocationRequest = LocationInput.meta({ id: 'LocationInput' });
export const LocationResponse = Location.meta({ id: 'Location' });
export const LocationList = z.object({ items: z.array(Location) });

export const PlaceOrderBody = PlaceOrderRequest.meta({ id: 'PlaceOrderRequest' });
export const PlaceOrderResponse = z.object({
  orderId: z.string(),
  orderNumber: z.string(),
  status: OrderStatus.extract(['PENDING']),
});
export type PlaceOrderResponse = z.infer<typeof PlaceOrderResponse>;
// --- outbound: fulfilments and shipments (the order carries them too) ---
export const FulfilmentView = Fulfilment.meta({ id: 'Fulfillment' });
export const ShipmentView = Shipment.meta({ id: 'Shipment' });
export const OutboundView = z.object({
  lines: z.array(LineQuantities.meta({ id: 'LineQuantities' })),
  fulfilments: z.array(FulfilmentView),
  shipments: z.array(ShipmentView),
}).meta({ id: 'Outbound' });

export const OrderResponse = Order.extend({
  money: MoneySummaryView,
  payments: z.array(PaymentResponse),
  refunds: z.array(RefundView),
  /** once outbound work exists */
  outbound: OutboundView.optional(),
}).meta({ id: 'Order' });

// Lifecycle commands: a person says why an order is stopped (timeline, customer, events).
export const ReasonRequest = z.strictObject({ reason: humanText({ max: 500, multiline: true }) }).meta({ id: 'ReasonInput' });
// A staff screen may send If-Match: "<version>" it showed; a PUT of settings may name it in the body instead.
export const WorkflowSettingsRequest = WorkflowSettingsInput.extend({
  /** the version this change replaces (or If-Match) */
  version: z.int().min(1).optional(),
}).meta({ id: 'WorkflowSettingsInput' });
export const WorkflowSettingsResponse = WorkflowSettings.meta({ id: 'WorkflowSettings' });
export const WorkflowSettingsHistory = z.object({
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
});

// --- staff look-up, customers, notifications ---
export const OrderListQuery = z
  .strictObject({
    ...ORDER_LOOKUP_FIELDS,
    ...ListQuery.shape,
    trackingNumber: z.string().regex(/^[A-Za-z0-9-]{1,100}$/, 'is not a tracking number').optional(),
    phone: z.string().regex(/^\+?[0-9 ().-]{1,40}$/, 'is not a phone number').refine((p) => p.replace(/\D/g, '').length >= 4, 'needs at least 4 digits')
      .optional().meta({ description: 'The phone the order was placed with; only its digits count (newest first)' }),
    paymentRef: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, 'is not a payment reference').optional()
      .meta({ description: "The provider's payment reference, or our paymentId" }),
  })
  .refine(rangeInOrder, { path: ['from'], message: 'must not be after to' })
  .refine((q) => q.trackingNumber === undefined || Object.keys(q).every((k) => k === 'trackingNumber' || k === 'limit'), {
    path: ['trackingNumber'], message: 'is a look-up of its own: no other filter or cursor',
  })
  .refine((q) => q.paymentRef === undefined || Object.keys(q).every((k) => k === 'paymentRef' || k === 'limit'), {
    path: ['paymentRef'], message: 'is a look-up of its own: no other filter or cursor',
  })
  .refine((q) => q.phone === undefined || Object.keys(q).every((k) => k === 'phone' || k === 'limit' || k === 'cursor'), {
    path: ['phone'], message: 'is a look-up of its own: no other filter',
  });
export const OrderSummaryList = z.object({ items: z.array(OrderSummary.meta({ id: 'OrderSummary' })), nextCursor: z.string().optional() });
export const OrderNumberPath = z.strictObject({ orderNumber: z.string().regex(/^[A-Za-z0-9-]{1,40}$/, 'is not an order number') });
export const NoteRequest = z.strictObject({ text: humanText({ max: 2000, multiline: true }) }).meta({ id: 'NoteInput' });
export const NoteResponse = TimelineEntry.meta({ id: 'TimelineEntry' });
export const CustomerIdPath = z.strictObject({ customerId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'is not a customer id') });
export const CustomerResponse = Customer.meta({ id: 'Customer' });
export const NotificationListQuery = z.strictObject({ department: DepartmentId, ...ListQuery.shape });
export const NotificationList = z.object({ items: z.array(Notification.meta({ id: 'Notification' })), nextCursor: z.string().optional() });
export const NotificationSettingsBody = NotificationSettingsInput.extend({
  /** the version this change replaces (or If-Match) */
  version: z.int().min(1).optional(),
}).meta({ id: 'NotificationSettingsInput' });
export const NotificationSettingsResponse = NotificationSettings.meta({ id: 'NotificationSettings' });

// --- payment vouchers ---
const Id = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, `is not ${what}`);
export const ReceiptPath = z.strictObject({ orderId: Id('an order id'), paymentId: Id('a payment id') });
export const ReceiptCodePath = z.strictObject({
  verificationCode: z.string().regex(/^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{20}$/, 'is not a verification code'),
});
export const ReceiptResponse = Receipt.meta({ id: 'Receipt' });
export const ReceiptVerificationResponse = ReceiptVerification.meta({ id: 'ReceiptVerification' });
/** `{provider}` of the payment webhooks: the providers that call back */
export const PaymentProviderPath = z.strictObject({ provider: CallbackProvider });
const opaqueId = (what: string) => z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, `is not a ${what} id`);
// --- outbound: fulfilments (出庫) and shipments (發貨) ---
const OutboundLines = z.array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(10_000) })).min(1).max(100);
export const FulfilmentPath = z.strictObject({ fulfillmentId: opaqueId('fulfillment') });
export const CreateFulfilmentRequest = z.strictObject({ lines: OutboundLines.optional() }).meta({ id: 'FulfillmentInput' });
export const PickList = z.object({
  fulfillmentId: z.string(),
  orderId: z.string(),
  orderNumber: z.string(),
  status: z.string(),
  shipTo: z.object({ name: z.string(), city: z.string(), country: z.string() }),
  lines: z.array(z.object({ sku: z.string(), name: z.string(), quantity: z.int(), location: z.string() })),
}).meta({ id: 'PickList' });
export const CreateShipmentRequest = z.strictObject({
  carrier: Carrier,
  trackingNumber: z.string().regex(/^[A-Za-z0-9-]{4,100}$/, 'is not a tracking number').optional(),
  /** Kuaidi100's courier company code (shunfeng, yuantong, zhongtong…); without it Kuaidi100 recognizes the number itself */
  courier: z.string().regex(/^[a-z0-9]{2,40}$/, 'is not a Kuaidi100 company code').optional(),
  lines: OutboundLines.optional(),
  fulfillmentId: opaqueId('fulfillment').optional(),
}).meta({ id: 'ShipmentInput' });
// --- shipment tracking ---
/** `{provider}` of the carrier webhooks: the tracking providers that call back */
export const CarrierProviderPath = z.strictObject({ provider: TrackingProvider });
export const TrackingNumberPath = z.strictObject({ trackingNumber: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/, 'is not a tracking number') });
/** What anyone with the tracking number sees: the parcel's progress, nothing about the order or the people. */
export const PublicTracking = z.strictObject({
  trackingNumber: z.string(),
  carrier: Carrier,
  status: ShipmentStatus,
  estimatedDelivery: z.iso.date().optional(),
  checkpoints: z.array(Checkpoint),
}).meta({ id: 'PublicTracking' });
export type PublicTracking = z.infer<typeof PublicTracking>;

// --- reports ---
const ReportDay = z.iso.date();
/** A dated report's range: business days (workflow settings' time zone), both included, a year at most. */
const reportQuery = <G extends readonly [string, ...string[]]>(groupBy: G) =>
  z
    .strictObject({
      from: ReportDay,
      to: ReportDay,
      groupBy: z.enum(groupBy).optional(),
      currency: Currency.optional(),
      /** the same length of time just before, with the change in percent */
      compare: z.literal('previous').optional(),
      /** the first N rows by revenue (SKU and channel groups) */
      top: z.coerce.number().int().min(1).max(1000).optional(),
    })
    .refine(rangeInOrder, { path: ['from'], message: 'must not be after to' })
    .refine((q) => Date.parse(q.to) - Date.parse(q.from) <= 366 * 86_400_000, { path: ['to'], message: 'over 366 days' });
export const SalesReportQuery = reportQuery(['day', 'week', 'month', 'channel', 'sku']);
export const TimeReportQuery = reportQuery(['day', 'week', 'month']);
export type ReportQuery = z.output<typeof SalesReportQuery>;
/** The returns report: by time, by SKU (with the return rate) or by reason. */
export const ReturnsReportQuery = reportQuery(['day', 'week', 'month', 'sku', 'reason']);
export type ReturnsReportQuery = z.output<typeof ReturnsReportQuery>;
export const InventoryReportQuery = ListQuery;
// --- after-sales: returns and claims ---
export const ReturnPath = z.strictObject({ returnId: opaqueId('return') });
export const CreateReturnRequest = z.strictObject({
  type: ReturnKind,
  lines: z.array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(10_000), reason: humanText({ max: 200 }) })).min(1).max(100),
  note: humanText({ max: 1000, multiline: true }).optional(),
  /** an exchange: what the customer gets instead (default: the same SKUs and quantities) */
  replacement: z.array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(10_000) })).min(1).max(100).optional(),
  /** a claim: refund (default) or reship the claimed units */
  settlement: ClaimSettlement.optional(),
}).meta({ id: 'ReturnInput' });
export const ReceiveReturnRequest = z.strictObject({
  lines: z.array(z.strictObject({ sku: Sku, quantity: z.int().min(1).max(10_000), condition: ReturnCondition })).min(1).max(100),
  /** where the parcel arrived (default: the default location) */
  locationId: LocationId.optional(),
}).meta({ id: 'ReturnReceipt' });
export const ReturnResponse = ReturnRecord.omit({ kind: true, version: true }).extend({ type: ReturnKind }).meta({ id: 'Return' });
export const ReturnList = z.object({ items: z.array(ReturnResponse) });
export const ReturnListQuery = z.strictObject({
  status: ReturnStatus.describe('The state to list (required): each state is a queue, oldest first'),
  type: ReturnKind.optional().describe('Only returns, exchanges or claims'),
  cursor: ListQuery.shape.cursor.describe("The previous page's `nextCursor`"),
  limit: ListQuery.shape.limit.describe('Page size, 1 to 100 (default 50)'),
});
export const ReturnPage = z.object({ items: z.array(ReturnResponse), nextCursor: z.string().optional() }).meta({ id: 'ReturnPage' });
