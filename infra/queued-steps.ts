import type { EventPattern } from 'aws-cdk-lib/aws-events';
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
}

// Key = step name = folder under functions/.
export const QUEUED_STEPS: Readonly<Record<string, QueuedStepSpec>> = {
  'reserve-stock': {
    queue: 'reservations',
    pattern: { source: ['oms.orders'], detailType: ['OrderPlaced'] },
    table: 'readwrite',
  },
  // json-rules-engine is bundled here only: the workflow settings decide auto-approve or review
  'review-order': {
    queue: 'reviews',
    pattern: { source: ['oms.orders'], detailType: ['StockReserved'] },
    table: 'readwrite',
  },
};
