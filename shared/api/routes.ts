import type { z } from 'zod';
import { CHANNELS, type Channel } from '../domain/order-number';
import { ANY_ROLE, type Role } from '../middleware/auth';
import * as S from './schemas';

export interface RouteDef {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  /** The step (folder under functions/) whose Lambda serves this route. */
  fn: string;
  summary: string;
  auth: 'public' | readonly Role[];
  /** Where a route's answer depends on the role: which roles may use which channels (POST /orders). */
  channels?: Partial<Record<Role, readonly Channel[]>>;
  body?: z.ZodType;
  params?: z.ZodType;
  query?: z.ZodType;
  /** request headers worth documenting */
  headers?: { name: string; required: boolean; description: string }[];
  responses: Record<number, { description: string; schema?: z.ZodType; headers?: string[] }>;
}

// Who may call what, as API.md's "Auth and roles" table says; a test calls every
// role x route cell of this table over HTTP.
const STAFF_STOCK: readonly Role[] = ['ops', 'admin'];
/** read orders and customers: everyone on staff (ops for shipping, finance for payments) */
const STAFF_LOOKUP: readonly Role[] = ['ops', 'cs', 'finance', 'admin'];
/** notes in an order's timeline */
const STAFF_NOTES: readonly Role[] = ['ops', 'cs', 'admin'];
/** Product cost is for staff only: a storefront reads the catalog without it. */
export const COST_READERS: readonly Role[] = ['ops', 'cs', 'finance', 'admin'];
/** Staff place orders taken by phone, e-mail or in a store; web, app and marketplace orders come from their clients. */
export const STAFF_CHANNELS: readonly Channel[] = ['phone', 'email', 'store'];
/** a payment's voucher: the customer's storefront for its own order, customer service and finance */
const RECEIPT_READERS: readonly Role[] = ['storefront', 'cs', 'finance', 'admin'];
/** who may start a payment: the storefront for its own orders, and staff who take payments */
const PAYERS: readonly Role[] = ['storefront', 'cs', 'finance', 'admin'];
/** payments settled by hand and refunds */
const MONEY_STAFF: readonly Role[] = ['finance', 'admin'];
/** picking, packing and shipping */
const OUTBOUND: readonly Role[] = ['ops', 'admin'];
const RETRY_KEY = { name: 'Idempotency-Key', required: false, description: 'Same key: the first answer again.' };
const IF_MATCH_ORDER = {
  name: 'If-Match', required: false, description: 'The order version the caller saw: a changed order is 409 instead of acted on.',
};

const IF_MATCH_SETTINGS = {
  name: 'If-Match', required: false, description: 'The version being replaced (or `version` in the body); one of them is required.',
};

// Every route of the HTTP API, with who may call it and what goes in and out.
// routeKey = `${method} ${path}`, exactly as API Gateway names it.
export const ROUTES = {
  health: {
    method: 'GET', path: '/health', fn: 'health', summary: 'Liveness check', auth: 'public',
    responses: { 200: { description: 'Service is up', schema: S.HealthResponse } },
  },
  openapi: {
    method: 'GET', path: '/openapi.json', fn: 'health', summary: 'This OpenAPI document', auth: 'public',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  },
  putProduct: {
    method: 'PUT', path: '/products/{sku}', fn: 'catalog', summary: 'Create or replace a product', auth: STAFF_STOCK,
    params: S.SkuPath, body: S.PutProductRequest,
    responses: {
      200: { description: 'Product replaced', schema: S.ProductResponse },
      201: { description: 'Product created', schema: S.ProductResponse, headers: ['location'] },
      422: { description: 'Price and cost in different currencies' },
    },
  },
  getProduct: {
    method: 'GET', path: '/products/{sku}', fn: 'catalog', summary: 'Get a product (cost for staff only)', auth: ANY_ROLE, params: S.SkuPath,
    responses: { 200: { description: 'The product', schema: S.ProductResponse }, 404: { description: 'Unknown SKU' } },
  },
  listProducts: {
    method: 'GET', path: '/products', fn: 'catalog', summary: 'List products by SKU (cost for staff only)', auth: ANY_ROLE, query: S.ListQuery,
    responses: { 200: { description: 'A page of products', schema: S.ProductList } },
  },
  adjustStock: {
    method: 'POST', path: '/inventory/{sku}/adjustments', fn: 'inventory', summary: 'Adjust on-hand stock (recorded in the ledger)',
    auth: STAFF_STOCK, params: S.SkuPath, body: S.AdjustmentRequest,
    headers: [{ name: 'Idempotency-Key', required: false, description: 'A retried adjustment with the same key is applied once (answer: the current level); same key + different body is 409.' }],
    responses: {
      201: { description: 'Adjusted; the new level', schema: S.StockLevelResponse },
      404: { description: 'Unknown SKU' },
      409: { description: 'Would make on-hand negative or below reserved' },
    },
  },
  getStock: {
    method: 'GET', path: '/inventory/{sku}', fn: 'inventory', summary: 'Stock level of a SKU: totals and per location', auth: ['ops', 'cs', 'admin'], params: S.SkuPath,
    responses: { 200: { description: 'The level', schema: S.StockDetailResponse }, 404: { description: 'Unknown SKU' } },
  },
  listStock: {
    method: 'GET', path: '/inventory', fn: 'inventory', summary: 'Stock levels of all products, or (below=reorderPoint) what needs replenishing',
    auth: ['ops', 'cs', 'admin'], query: S.StockListQuery,
    responses: { 200: { description: 'A page of stock levels, or of replenishment advice', schema: S.StockListResponse } },
  },
  stockLedger: {
    method: 'GET', path: '/inventory/{sku}/ledger', fn: 'inventory', summary: 'Stock movements of a SKU, newest first',
    auth: ['ops', 'cs', 'admin'], params: S.SkuPath, query: S.ListQuery,
    responses: { 200: { description: 'A page of ledger entries', schema: S.LedgerList }, 404: { description: 'Unknown SKU' } },
  },
  putLocation: {
    method: 'PUT', path: '/locations/{locationId}', fn: 'inventory', summary: 'Create or update a stock location', auth: STAFF_STOCK,
    params: S.LocationPath, body: S.PutLocationRequest,
    responses: {
      200: { description: 'Location updated', schema: S.LocationResponse },
      201: { description: 'Location created', schema: S.LocationResponse, headers: ['location'] },
    },
  },
  listLocations: {
    method: 'GET', path: '/locations', fn: 'inventory', summary: 'Stock locations by priority', auth: STAFF_STOCK,
    responses: { 200: { description: 'Every location', schema: S.LocationList } },
  },
  placeOrder: {
    method: 'POST', path: '/orders', fn: 'place-order', summary: 'Place an order (stock is reserved asynchronously)',
    auth: ['storefront', 'cs', 'admin'], channels: { storefront: CHANNELS, admin: CHANNELS, cs: STAFF_CHANNELS }, body: S.PlaceOrderBody,
    headers: [{ name: 'Idempotency-Key', required: false, description: 'Required for storefront clients. Same key + same body replays the first response; same key + different body is 409.' }],
    responses: {
      202: { description: 'Accepted', schema: S.PlaceOrderResponse, headers: ['location'] },
      403: { description: 'The channel is not one the role places orders on (customer service: phone, email, store)' },
      409: { description: 'Idempotency-Key or externalRef reused with a different request' },
      422: { description: 'Unknown SKUs, mixed currencies or too many SKUs' },
    },
  },
  getOrder: {
    method: 'GET', path: '/orders/{orderId}', fn: 'get-order', summary: 'The whole order', auth: ANY_ROLE, params: S.OrderIdPath,
    responses: { 200: { description: 'The order', schema: S.OrderResponse }, 404: { description: 'No such order (or not yours)' } },
  },
  listOrders: {
    method: 'GET', path: '/orders', fn: 'order-lookup', auth: STAFF_LOOKUP, query: S.OrderListQuery,
    summary: 'Staff look-up by status (oldest first), customer email, channel or date range (newest first); each served by an index',
    responses: {
      200: { description: 'A page of orders; it may be short (even empty) while nextCursor is set: each request reads a bounded amount', schema: S.OrderSummaryList },
      400: { description: 'Invalid filters; a date-only range longer than 366 days (`to` later than now reads as now); a cursor not issued for these filters' },
    },
  },
  getOrderByNumber: {
    method: 'GET', path: '/orders/by-number/{orderNumber}', fn: 'order-lookup', summary: 'The whole order, by its number',
    auth: STAFF_LOOKUP, params: S.OrderNumberPath,
    responses: { 200: { description: 'The order', schema: S.OrderResponse }, 404: { description: 'No such order number' } },
  },
  addOrderNote: {
    method: 'POST', path: '/orders/{orderId}/notes', fn: 'order-lookup', summary: 'A staff note in the order timeline',
    auth: STAFF_NOTES, params: S.OrderIdPath, body: S.NoteRequest,
    responses: { 201: { description: 'The timeline entry', schema: S.NoteResponse }, 404: { description: 'No such order' } },
  },
  getCustomer: {
    method: 'GET', path: '/customers/{customerId}', fn: 'order-lookup', summary: 'Customer profile: order count, lifetime value, last order',
    auth: STAFF_LOOKUP, params: S.CustomerIdPath,
    responses: { 200: { description: 'The customer', schema: S.CustomerResponse }, 404: { description: 'No such customer' } },
  },
  customerOrders: {
    method: 'GET', path: '/customers/{customerId}/orders', fn: 'order-lookup', summary: "A customer's orders, newest first",
    auth: STAFF_LOOKUP, params: S.CustomerIdPath, query: S.ListQuery,
    responses: { 200: { description: 'A page of orders', schema: S.OrderSummaryList } },
  },
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
  approveOrder: {
    method: 'POST', path: '/orders/{orderId}/approve', fn: 'order-actions', summary: 'Approve an order waiting for review',
    auth: ['ops', 'admin'], params: S.OrderIdPath, headers: [IF_MATCH_ORDER],
    responses: {
      200: { description: 'Approved: AWAITING_PAYMENT until its payment deadline', schema: S.OrderResponse },
      404: { description: 'No such order' },
      409: { description: 'Not IN_REVIEW (or changed since If-Match); the problem names the current status' },
    },
  },
  rejectOrder: {
    method: 'POST', path: '/orders/{orderId}/reject', fn: 'order-actions', summary: 'Reject an order waiting for review (releases its stock)',
    auth: ['ops', 'admin'], params: S.OrderIdPath, body: S.ReasonRequest, headers: [IF_MATCH_ORDER],
    responses: {
      200: { description: 'Rejected; its stock is available again', schema: S.OrderResponse },
      404: { description: 'No such order' },
      409: { description: 'Not IN_REVIEW (or changed since If-Match); the problem names the current status' },
    },
  },
  cancelOrder: {
    method: 'POST', path: '/orders/{orderId}/cancel', fn: 'order-actions',
    summary: 'Cancel an order (releases its stock); a storefront only its own, before payment',
    auth: ['storefront', 'cs', 'admin'], params: S.OrderIdPath, body: S.ReasonRequest, headers: [IF_MATCH_ORDER],
    responses: {
      200: { description: 'Cancelled; its stock is available again', schema: S.OrderResponse },
      403: { description: 'A storefront after payment (customer service cancels and refunds)' },
      404: { description: 'No such order (or not yours)' },
      409: { description: 'Cannot be cancelled from its status (or changed since If-Match); the problem names the current status' },
    },
  },
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
  // --- payment vouchers (functions/receipts) ---
  getPaymentReceipt: {
    method: 'GET', path: '/orders/{orderId}/payments/{paymentId}/receipt', fn: 'receipts',
    summary: 'The voucher (支付憑證) of a succeeded payment: JSON, text/html or application/pdf by Accept',
    auth: RECEIPT_READERS, params: S.ReceiptPath,
    headers: [{ name: 'Accept', required: false, description: 'application/json, text/html or application/pdf (by q-value; JSON when none of them is named)' }],
    responses: {
      200: { description: 'The voucher, in the type asked for', schema: S.ReceiptResponse },
      404: { description: 'No such order or payment (or not yours), or the payment has not succeeded' },
    },
  },
  verifyReceipt: {
    method: 'GET', path: '/receipts/{verificationCode}', fn: 'receipts', auth: 'public', params: S.ReceiptCodePath,
    summary: 'Confirms a voucher by its verification code, without personal data',
    responses: {
      200: { description: 'The voucher is genuine', schema: S.ReceiptVerificationResponse },
      404: { description: 'No voucher has this code' },
    },
  },

  // --- Payment provider callbacks: public, authenticated by the provider's signature on the raw body ---
  paymentWebhook: {
    method: 'POST', path: '/webhooks/payments/{provider}', fn: 'payment-webhooks',
    summary: 'A payment provider reports a payment or refund (signed in its own format; answered in its own format)',
    auth: 'public', params: S.PaymentProviderPath,
    responses: {
      200: { description: 'Recorded (Stripe: JSON; Alipay: plain text `success`)' },
      204: { description: 'Recorded (WeChat Pay)' },
      400: { description: 'Signature, freshness or content refused; nothing recorded (Alipay: `fail`; WeChat Pay: `{"code":"FAIL","message":…}`)' },
      404: { description: 'No such provider' },
      500: { description: 'Verified but not recorded yet: the provider delivers again' },
    },
  },

  // --- payments and refunds ---
  startPayment: {
    method: 'POST', path: '/orders/{orderId}/payments', fn: 'payments', summary: 'Start a payment attempt for the order total (one open attempt at a time)',
    auth: PAYERS, params: S.OrderIdPath, body: S.StartPaymentRequest,
    responses: {
      201: { description: 'The PENDING attempt and what the payer does next', schema: S.PaymentResponse, headers: ['location'] },
      404: { description: 'No such order (or not yours)' },
      409: { description: 'The order is not AWAITING_PAYMENT, or another attempt is open (the problem names it)' },
      502: { description: 'The provider did not accept the payment; the attempt is FAILED and a new one may start' },
    },
  },
  listPayments: {
    method: 'GET', path: '/orders/{orderId}/payments', fn: 'payments', summary: "The order's payment attempts, refunds and money (sums of its ledger)",
    auth: ANY_ROLE, params: S.OrderIdPath,
    responses: { 200: { description: 'Attempts, refunds, paid / refunded / balance', schema: S.PaymentList }, 404: { description: 'No such order (or not yours)' } },
  },
  confirmPayment: {
    method: 'POST', path: '/orders/{orderId}/payments/{paymentId}/confirm', fn: 'payments', summary: 'Finance confirms a bank transfer that arrived: the order is paid',
    auth: MONEY_STAFF, params: S.PaymentPath, body: S.ConfirmRequest,
    responses: {
      200: { description: 'The settled attempt', schema: S.PaymentResponse },
      404: { description: 'No such order or payment' },
      409: { description: 'Not a bank transfer, or already settled' },
    },
  },
  requestRefund: {
    method: 'POST', path: '/orders/{orderId}/refunds', fn: 'payments', summary: 'Refund part or all of what a payment captured',
    auth: MONEY_STAFF, params: S.OrderIdPath, body: S.RefundRequest,
    headers: [{ name: 'Idempotency-Key', required: false, description: 'A retried refund with the same key is made once and answered the same; same key + different body is 409.' }],
    responses: {
      201: { description: 'The PENDING refund; the provider completes it (manual methods: finance confirms it)', schema: S.RefundAccepted, headers: ['location'] },
      404: { description: 'No such order or payment' },
      409: { description: 'More than is still refundable (the problem says how much is), or Idempotency-Key reused with a different request' },
      422: { description: 'Currency differs from the payment' },
    },
  },
  confirmRefund: {
    method: 'POST', path: '/orders/{orderId}/refunds/{refundId}/confirm', fn: 'payments', summary: 'Finance confirms a refund paid back by hand (bank transfer, cash on delivery)',
    auth: MONEY_STAFF, params: S.RefundPath, body: S.ConfirmRequest,
    responses: {
      200: { description: 'The refund, SUCCEEDED', schema: S.RefundView },
      404: { description: 'No such order or refund' },
      409: { description: 'Not a manual refund, or not PENDING' },
    },
  },

  // --- outbound: fulfilments (出庫) and shipments (發貨); ops and admin ---
  createFulfilment: {
    method: 'POST', path: '/orders/{orderId}/fulfillments', fn: 'fulfilment', summary: 'Open pick/pack work',
    auth: OUTBOUND, params: S.OrderIdPath, body: S.CreateFulfilmentRequest, headers: [RETRY_KEY],
    responses: {
      201: { description: 'The OPEN fulfilment', schema: S.FulfilmentView, headers: ['location'] },
      404: { description: 'No such order' },
      409: { description: 'Not PAID; more than is left' },
      422: { description: 'No line of that SKU' },
    },
  },
  pickList: {
    method: 'GET', path: '/fulfillments/{fulfillmentId}/pick-list', fn: 'fulfilment', summary: 'Pick list (JSON, or text/html to print)',
    auth: OUTBOUND, params: S.FulfilmentPath,
    responses: { 200: { description: 'The pick list', schema: S.PickList }, 404: { description: 'No such fulfilment' } },
  },
  packFulfilment: {
    method: 'POST', path: '/fulfillments/{fulfillmentId}/packed', fn: 'fulfilment', summary: 'Picked and packed',
    auth: OUTBOUND, params: S.FulfilmentPath,
    responses: { 200: { description: 'The PACKED fulfilment', schema: S.FulfilmentView }, 404: { description: 'No such fulfilment' }, 409: { description: 'Not OPEN' } },
  },
  cancelFulfilment: {
    method: 'POST', path: '/fulfillments/{fulfillmentId}/cancel', fn: 'fulfilment', summary: 'Cancel before shipping',
    auth: OUTBOUND, params: S.FulfilmentPath,
    responses: { 200: { description: 'The CANCELLED fulfilment', schema: S.FulfilmentView }, 404: { description: 'No such fulfilment' }, 409: { description: 'Shipped or cancelled' } },
  },
  createShipment: {
    method: 'POST', path: '/orders/{orderId}/shipments', fn: 'fulfilment', summary: 'Ship packed units',
    auth: OUTBOUND, params: S.OrderIdPath, body: S.CreateShipmentRequest, headers: [RETRY_KEY],
    responses: {
      201: { description: 'The shipment', schema: S.ShipmentView, headers: ['location'] },
      404: { description: 'No such order' },
      409: { description: 'Not packed; tracking number in use' },
      422: { description: 'Carrier cannot book; over 20 SKUs' },
      502: { description: 'Carrier did not book' },
      },
    },

  // --- shipment tracking: carriers' callbacks (public, authenticated by their signature on the raw body) and the public lookup ---
  carrierWebhook: {
    method: 'POST', path: '/webhooks/carriers/{provider}', fn: 'carrier-webhooks',
    summary: 'A tracking provider reports a parcel\'s progress (signed in its own format; answered in its own format)',
    auth: 'public', params: S.CarrierProviderPath,
    responses: {
      200: { description: 'Recorded (AfterShip, EasyPost, 17TRACK: JSON; Kuaidi100: `{"result":true,"returnCode":"200","message":"成功"}`)' },
      400: { description: 'Signature or content refused; nothing recorded (Kuaidi100: `{"result":false,"returnCode":"500",…}`)' },
      404: { description: 'No such provider' },
      500: { description: 'Verified but not recorded yet: the provider delivers again' },
    },
  },
  getTracking: {
    method: 'GET', path: '/tracking/{trackingNumber}', fn: 'tracking', auth: 'public', params: S.TrackingNumberPath,
    summary: 'A parcel\'s carrier, normalized status, checkpoints and estimated delivery, without personal data',
    responses: {
      200: { description: 'The parcel\'s tracking', schema: S.PublicTracking },
      404: { description: 'No parcel has this tracking number' },
    },
  },
} as const satisfies Record<string, RouteDef>;

export type RouteName = keyof typeof ROUTES;
export const routeKey = (r: RouteDef) => `${r.method} ${r.path}`;

/** The channels a caller may use on a route that restricts them (any role of the caller counts). */
export function channelsFor(route: RouteDef, roles: readonly Role[]): ReadonlySet<Channel> {
  if (!route.channels) return new Set(CHANNELS);
  return new Set(roles.flatMap((role) => route.channels?.[role] ?? []));
}
