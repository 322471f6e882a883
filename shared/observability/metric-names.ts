// The names of the business metrics: what handlers record (metrics.ts) and what the
// stage's alarms and dashboard read (infra/constructs/ops-*.ts). Pure data, no imports.

/** Counted business outcomes: the names the dashboard and the alarms use. */
export const COUNTS = {
  ordersPlaced: 'OrdersPlaced',
  ordersRejectedForStock: 'OrdersRejectedForStock',
  ordersApproved: 'OrdersApproved',
  ordersExpired: 'OrdersExpired',
  paymentsSucceeded: 'PaymentsSucceeded',
  paymentsFailed: 'PaymentsFailed',
  /** provider or carrier callbacks refused for their signature (forged, stale, or signed with an unknown key) */
  callbacksRejectedBySignature: 'CallbacksRejectedBySignature',
  refunds: 'Refunds',
  shipments: 'Shipments',
  deliveries: 'Deliveries',
  returns: 'Returns',
  /** SKUs whose reserved stock differs from their live reservations (reconcile-stock) */
  stockDrifts: 'StockDrifts',
  /** payments whose provider says otherwise than the ledger (reconcile-payments) */
  paymentDrifts: 'PaymentDrifts',
  /** webhook deliveries given up after their retry window (FAILED): the partner missed an event */
  webhookDeliveriesFailed: 'WebhookDeliveriesFailed',
} as const;

/** Why a callback's verification failed, when it counts as a signature failure (a probe or a malformed body does not). */
export const SIGNATURE_FAILURES: ReadonlySet<string> = new Set(['bad-signature', 'stale', 'unknown-key']);

/** Times between two moments of an order's life. */
export const LATENCIES = {
  placedToReserved: 'PlacedToReserved',
  placedToPaid: 'PlacedToPaid',
} as const;

export type CountName = (typeof COUNTS)[keyof typeof COUNTS];
export type LatencyName = (typeof LATENCIES)[keyof typeof LATENCIES];

/** The one dimension every metric has (Powertools' default): alarms and the dashboard name it. */
export const METRIC_SERVICE = 'oms';
