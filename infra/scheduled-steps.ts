import type { TableAccess } from './constructs/oms-function';

// Steps run on a timetable: an EventBridge schedule rule invokes the function
// directly (no queue: a missed run is simply done by the next one). Adding a job
// is adding an entry here (and its handler under functions/<step>/). The local
// cloud reads the same rules from the synthesized template and fires them.

export interface ScheduledStepSpec {
  /** EventBridge schedule expression: `rate(1 minute)` or `cron(0 3 * * ? *)` (UTC). */
  readonly schedule: string;
  readonly description: string;
  readonly table?: TableAccess;
  /** Whether the step publishes to the bus itself (most publish through the outbox). */
  readonly bus?: boolean;
}

// Key = step name = folder under functions/.
export const SCHEDULED_STEPS: Readonly<Record<string, ScheduledStepSpec>> = {
  'expire-unpaid': {
    // the payment deadline is in minutes, so a minute is the finest useful grain
    schedule: 'rate(1 minute)',
    description: 'Expires orders still AWAITING_PAYMENT past their payment deadline and releases their stock',
    table: 'readwrite',
  },
  // Re-drives outbox items the relay could not publish (index of unpublished items, no scan)
  'outbox-sweeper': {
    schedule: 'rate(1 minute)',
    description: 'Republishes outbox events still unpublished two minutes after they were written, with the same event id',
    table: 'readwrite',
    bus: true,
  },
  'reconcile-stock': {
    schedule: 'rate(1 hour)',
    description: 'Checks that each SKU\'s reserved stock equals the sum of its live reservations (in total and per location); raises StockDriftDetected, never corrects',
    table: 'readwrite',
  },
  // Asks the providers (adapter retrieve) about long-pending and recently settled attempts
  'reconcile-payments': {
    schedule: 'rate(15 minutes)',
    description: 'Compares attempts PENDING past 15 minutes and payments settled in the last day with what their provider reports; raises PaymentDriftDetected, never changes money',
    table: 'readwrite',
  },
  // Delivered orders whose return window closed (due-date index, no scan)
  'complete-orders': {
    schedule: 'rate(1 hour)',
    description: 'Completes DELIVERED orders whose return window (workflow settings, default 7 days) has closed',
    table: 'readwrite',
  },
  replenishment: {
    // before the purchasing team's day starts (UTC+8)
    schedule: 'cron(0 0 * * ? *)',
    description: 'Sends ReplenishmentNeeded for each product at or below its reorder point, with the suggested quantity',
    table: 'readwrite',
  },
};
