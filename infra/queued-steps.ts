import { Match, type EventPattern } from 'aws-cdk-lib/aws-events';
import { CUSTOMER_EXIT_EVENTS } from '../shared/domain/customer';
import { CUSTOMER_MESSAGE_EVENTS } from '../shared/domain/customer-messages';
import type { TableAccess } from './constructs/oms-function';

// Steps driven by events on the stage bus, each behind its own queue
// (rule -> queue + DLQ -> function). Adding a consumer is adding an entry here
// (and its handler under functions/<step>/).

export interface QueuedStepSpec {
  /** Queue name within the stage (`oms-<stage>-<queue>`). */
  readonly queue: string;
  readonly pattern: EventPattern;
  readonly table?: TableAccess;
  /** Whether the step publishes to the bus itself (most publish through the outbox). */
  readonly bus?: boolean;
  /**
   * Off the order's path: nobody waits on the step, so its queue batches (config
   * `offPathBatching`: a window of about a second, up to 100 messages). Steps a storefront
   * or an admin waits on (reserving, reviewing), or that move an order (refunds, delivery,
   * replacements) or call a carrier, stay prompt: one message is handed over at once.
   */
  readonly offPath?: boolean;
  /**
   * The step offers a message it expects to succeed soon (an event ahead of the one it
   * waits for) again within seconds, changing its visibility itself (shared/aws-sqs-retry.ts):
   * its function gets its queue's URL as QUEUE_URL.
   */
  readonly retriesSooner?: boolean;
}

// Key = step name = folder under functions/.
export const QUEUED_STEPS: Readonly<Record<string, QueuedStepSpec>> = {
  // Reserve each placed order; the events of an order leaving or shipping finish ending
  // the holds of an order of many SKUs if the request that moved it stopped half-way.
  'reserve-stock': {
    queue: 'reservations',
    pattern: { source: ['oms.orders'], detailType: ['OrderPlaced', 'OrderRejected', 'OrderCancelled', 'OrderExpired', 'OrderShipped'] },
    table: 'readwrite',
  },
  // Customer profiles: count an order when placed, take it out again when it exits.
  'customer-stats': {
    queue: 'customer-stats',
    offPath: true,
    retriesSooner: true,
    pattern: { source: ['oms.orders'], detailType: ['OrderPlaced', ...CUSTOMER_EXIT_EVENTS] },
    table: 'readwrite',
  },
  // Department notifications. Every domain event reaches the worker, which routes it
  // with the notification settings: adding an event or a department is a settings
  // change, not a new rule. The department topics are wired in the API stack.
  notify: {
    queue: 'notifications',
    offPath: true,
    pattern: { source: Match.prefix('oms.') },
    table: 'readwrite',
  },
  // json-rules-engine is bundled here only: the workflow settings decide auto-approve or review
  'review-order': {
    queue: 'reviews',
    pattern: { source: ['oms.orders'], detailType: ['StockReserved'] },
    table: 'readwrite',
  },
  // Refunds: a paid order cancelled is refunded in full; each refund started is handed
  // to its provider (idempotency key = refundId), manual ones wait for finance. An order
  // cancelled or expired has its attempts still open at a provider closed there.
  'payment-refunds': {
    queue: 'payment-refunds',
    pattern: { source: ['oms.orders', 'oms.payments'], detailType: ['RefundRequested', 'RefundStarted', 'OrderCancelled', 'OrderExpired'] },
    table: 'readwrite',
  },
  // Delivery: a shipment the carrier delivered delivers its units (the order PARTIALLY_DELIVERED
  // or DELIVERED, its return window started) and settles cash on delivery.
  'shipment-progress': {
    queue: 'shipment-progress',
    pattern: { source: ['oms.shipping'], detailType: ['ShipmentStatusChanged'] },
    table: 'readwrite',
  },
  // Kuaidi100 books no waybill here: a kuaidi100 parcel is subscribed so its tracking is
  // pushed to us (only kuaidi100 shipments reach the queue). Reads the order's phone.
  'carrier-subscriptions': {
    queue: 'carrier-subscriptions',
    pattern: { source: ['oms.orders'], detailType: ['ShipmentCreated'], detail: { data: { carrier: ['kuaidi100'] } } },
    table: 'read',
  },
  // Report counters: sales when paid, payments per method, refunds, returns, stage durations
  // (REPORTED_EVENTS in shared/app/report-events.ts); each event counted once, a batch's events in few transactions.
  'aggregate-reports': {
    queue: 'reports',
    offPath: true,
    retriesSooner: true,
    pattern: {
      source: ['oms.orders', 'oms.payments'],
      detailType: ['OrderPlaced', 'OrderApproved', 'OrderPaid', 'OrderShipped', 'OrderDelivered', 'PaymentSucceeded', 'RefundIssued',
        'ReturnRequested', 'ReturnRejected', 'ReturnReceived'],
    },
    table: 'readwrite',
  },
  // Customer e-mail: shipped (with the tracking number), delivered, refunded. The sender
  // identity and its permission are wired in the API stack (constructs/customer-mail.ts).
  'customer-messages': {
    queue: 'customer-messages',
    offPath: true,
    pattern: { source: ['oms.orders', 'oms.payments'], detailType: [...CUSTOMER_MESSAGE_EVENTS] },
    table: 'readwrite',
  },
  // Exchanges and claims settled by reship: the replacement order placed (or waiting for
  // stock) when an exchange is received or a claim approved; stock arriving (an adjustment,
  // a return's restock) tries the waiting ones again. A replacement order rejected at its
  // reservation puts its return back to waiting (other rejected orders are skipped unread).
  replacements: {
    queue: 'replacements',
    pattern: { source: ['oms.orders', 'oms.inventory'], detailType: ['ReturnReceived', 'ReturnApproved', 'StockAdjusted', 'OrderRejected'] },
    table: 'readwrite',
  },
};
