import * as z from 'zod';
import { humanText } from './text';
import { lazySchema } from './lazy-schema';

// Which department hears about which event is configuration: an admin adds a
// department or an event to one by editing this document, and the notify worker
// routes with it. In AWS each department maps to a topic whose subscribers are
// per-stage settings; locally every notification is recorded.

export const DepartmentId = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'must be 2-40 lowercase letters, digits or "-"');
export type DepartmentId = z.infer<typeof DepartmentId>;

/** EventBridge detail-types are PascalCase, past tense (OrderApproved). */
export const DetailType = z.string().regex(/^[A-Z][A-Za-z0-9]{1,63}$/, 'must be a PascalCase detail-type such as OrderApproved');

export const Department = lazySchema(() =>
  z.strictObject({
    name: humanText({ max: 100 }),
    events: z.array(DetailType).max(200),
  }),
);
export type Department = z.infer<typeof Department>;

/** Departments the organisation always has; settings may add more but not remove these. */
export const CORE_DEPARTMENTS = ['warehouse', 'finance', 'customer-service', 'purchasing'] as const;

// One check per core department; `when` makes it run (and report its path) even
// when another department already failed, so an admin sees every problem at once.
const departments = CORE_DEPARTMENTS.reduce<z.ZodType<Record<string, Department>>>(
  (schema, id) =>
    schema.refine((d) => id in d, { path: [id], message: `the ${id} department cannot be removed`, when: ({ value }) => typeof value === 'object' && value !== null }),
  z.record(DepartmentId, Department),
);

export const NotificationSettingsInput = lazySchema(() =>
  z.strictObject({ departments }),
);
export type NotificationSettingsInput = z.input<typeof NotificationSettingsInput>;

export const NotificationSettings = lazySchema(() =>
  NotificationSettingsInput.unwrap().extend({
    version: z.int().min(1),
    updatedAt: z.iso.datetime(),
    updatedBy: z.string().min(1),
  }),
);
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = NotificationSettings.parse({
  version: 1,
  updatedAt: '1970-01-01T00:00:00.000Z',
  updatedBy: 'system:defaults',
  departments: {
    warehouse: { name: 'Warehouse', events: ['OrderApproved', 'StockLow', 'StockDriftDetected', 'FulfillmentCreated', 'ReturnApproved'] },
    finance: { name: 'Finance', events: ['OrderPaid', 'RefundRequested', 'RefundIssued', 'PaymentFlagged', 'RefundFailed', 'PaymentDriftDetected'] },
    'customer-service': { name: 'Customer service', events: ['OrderRejected', 'OrderCancelled', 'OrderExpired', 'LatePaymentReceived', 'ShipmentCreated', 'ShipmentExceptionReported', 'ReturnRequested', 'ReturnReceived', 'ReplacementDelayed', 'PoorFeedbackReceived'] },
    purchasing: { name: 'Purchasing', events: ['ReplenishmentNeeded'] },
  },
});

export function nextNotificationSettings(current: NotificationSettings, input: unknown, updatedBy: string, now: Date): NotificationSettings {
  const { departments } = NotificationSettingsInput.parse(input);
  return { departments, version: current.version + 1, updatedAt: now.toISOString(), updatedBy };
}

/** The departments that receive an event, in a stable order. */
export function route(detailType: string, settings: Pick<NotificationSettings, 'departments'>): DepartmentId[] {
  return Object.entries(settings.departments)
    .filter(([, d]) => d.events.includes(detailType))
    .map(([id]) => id)
    .sort();
}

/** Every detail-type some department listens to: what the bus rule to the notifications queue must match. */
export function routedDetailTypes(settings: Pick<NotificationSettings, 'departments'>): string[] {
  return [...new Set(Object.values(settings.departments).flatMap((d) => d.events))].sort();
}

export const NotificationEvent = lazySchema(() =>
  z.object({
    detailType: z.string(),
    data: z.record(z.string(), z.unknown()),
  }),
);
export type NotificationEvent = z.infer<typeof NotificationEvent>;

export interface RenderedNotification {
  subject: string;
  text: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** "OrderApproved" -> "Order approved" */
function humanize(detailType: string): string {
  const words = detailType.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function formatValue(v: unknown): string {
  if (v && typeof v === 'object' && 'amount' in v && 'currency' in v) {
    return `${str((v as { amount: unknown }).amount)} ${str((v as { currency: unknown }).currency)} (minor units)`;
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

// What a person must do about each event; events without a line here still render, generically.
const ACTION: Record<string, string> = {
  OrderApproved: 'Prepare the order for picking once it is paid.',
  OrderPaid: 'Payment received; the order can be fulfilled.',
  RefundRequested: 'A paid order was cancelled: refund the customer.',
  RefundIssued: 'A refund was issued; reconcile it with the provider statement.',
  OrderRejected: 'Tell the customer why the order was rejected.',
  OrderCancelled: 'Confirm the cancellation with the customer.',
  OrderExpired: 'The order was not paid in time and its stock was released; follow up with the customer if useful.',
  StockLow: 'Stock is at or below its reorder point.',
  ReplenishmentNeeded: 'Raise a purchase order for the suggested quantity.',
  StockDriftDetected: 'Reserved stock does not match live reservations: investigate before correcting.',
  PaymentDriftDetected: 'A payment provider disagrees with our record of a payment (status, amount, currency or refunds): nothing was changed; finance decides.',
  PaymentFlagged: 'A reported payment does not match its order (amount, currency or merchant): the order stays unpaid until finance resolves it.',
  RefundFailed: 'The provider refused a refund: the amount is refundable again; decide how to pay the customer back.',
  ShipmentExceptionReported: 'A carrier reports a problem with a parcel (exception or failed delivery): contact the customer and the carrier.',
  LatePaymentReceived: 'Money arrived for an order that was closed or already paid; it is being refunded in full. Let the customer know.',
  FulfillmentCreated: 'Pick and pack these units.',
  ShipmentCreated: 'Shipped: tell the customer the tracking number.',
  ReturnRequested: 'A customer asks to return or claim delivered units: approve or reject the request.',
  ReturnApproved: 'A return was approved (a claim: refunded): expect its parcel and receive it line by line, resellable or damaged.',
  ReturnReceived: 'A returned parcel was received and its units refunded: tell the customer and close the return.',
  WebhookPaused: 'A partner\'s webhook kept failing and was paused; its deliveries wait. Fix the endpoint, then PUT the subscription with active: true (GET /integrations/webhooks/{id}/deliveries shows the errors).',
};

/** A human-readable notification: a subject naming the order or SKU, and the facts as lines. */
export function render(input: NotificationEvent): RenderedNotification {
  const { detailType, data } = NotificationEvent.parse(input);
  const subjectRef = str(data.orderNumber) ?? str(data.orderId) ?? str(data.sku);
  const subject = `[OMS] ${humanize(detailType)}${subjectRef ? `: ${subjectRef}` : ''}`;
  const facts = Object.entries(data)
    .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${formatValue(v)}`);
  const action = ACTION[detailType];
  const text = [...(action ? [action, ''] : []), ...facts].join('\n');
  return { subject, text };
}

/** One notification as recorded for a department (the audit trail, kept in every stage). */
export const Notification = lazySchema(() =>
  z.object({
    department: DepartmentId,
    eventId: z.string(),
    detailType: z.string(),
    subject: z.string(),
    text: z.string(),
    occurredAt: z.iso.datetime(),
    recordedAt: z.iso.datetime(),
    /** when it was handed to the department's topic; absent if the department has no topic */
    publishedAt: z.iso.datetime().optional(),
    /** the order it is about, when the event names one (the order's story lists it) */
    orderId: z.string().optional(),
  }),
);
export type Notification = z.infer<typeof Notification>;
