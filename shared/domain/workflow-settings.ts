import * as z from 'zod';
import { Currency } from './money';
import { Channel, CountryCode } from './order-fields';
import { Sku } from './product';
import { lazySchema } from './lazy-schema';

// The workflow settings document (GET/PUT /settings/workflow) on its own, without the
// rules engine: the settings API and the order actions need the schema and the payment
// deadline, and only the review step should carry json-rules-engine in its bundle.

const email = lazySchema(() => z.string().trim().toLowerCase().pipe(z.email().max(254)));

export const ReviewRules = lazySchema(() =>
  z.strictObject({
    /** per currency, in minor units: an order whose total is above it waits for a person */
    totalAbove: z.record(Currency, z.int().min(0).max(Number.MAX_SAFE_INTEGER)).default({}),
    /** channels whose orders always wait for a person (e.g. phone orders taken by hand) */
    channels: z.array(Channel).max(20).default([]),
    flaggedCustomers: z
      .strictObject({
        emails: z.array(email).max(10_000).default([]),
        customerIds: z.array(z.string().min(1).max(100)).max(10_000).default([]),
      })
      .default({ emails: [], customerIds: [] }),
    /** a customer's first order waits for a person */
    firstTimeCustomers: z.boolean().default(false),
    shippingCountries: z.array(CountryCode).max(300).default([]),
    skus: z.array(Sku).max(10_000).default([]),
  }),
);
export type ReviewRules = z.infer<typeof ReviewRules>;

/** Which return requests approve themselves; the others wait for customer service. Claims always wait. */
export const ReturnRules = lazySchema(() =>
  z.strictObject({
    /** per currency, in minor units: a return worth less than this is approved on request */
    autoApproveBelow: z.record(Currency, z.int().min(0).max(Number.MAX_SAFE_INTEGER)).default({}),
    /** a return requested within this many days of delivery is approved on request (0: none by age) */
    autoApproveWithinDays: z.int().min(0).max(365).default(0),
  }),
);
export type ReturnRules = z.infer<typeof ReturnRules>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What an admin sends; the server stamps version and audit fields. */
export const WorkflowSettingsInput = lazySchema(() =>
  z.strictObject({
    /** false: every order waits for a person, whatever the rules say */
    autoApprove: z.boolean().default(true),
    /** how long an approved order may stay unpaid before the expiry job releases its stock */
    // (a minute at least: short deadlines are for demos and tests; shops use an hour or more)
    paymentDeadlineMinutes: z.int().min(1).max(30 * 24 * 60),
    review: ReviewRules.default(ReviewRules.parse({})),
    /** a cash-on-delivery order may be picked and shipped before it is paid (settled at delivery) */
    allowCashOnDelivery: z.boolean().default(true),
    /** days after delivery during which a return may be opened; then the order is COMPLETED */
    returnWindowDays: z.int().min(0).max(365).default(7),
    returns: ReturnRules.default({ autoApproveBelow: {}, autoApproveWithinDays: 0 }),
    /** the business's IANA time zone: times on payment vouchers are shown in it */
    timeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone such as Asia/Shanghai')
      .default('Asia/Shanghai'),
  }),
);
export type WorkflowSettingsInput = z.input<typeof WorkflowSettingsInput>;

export const WorkflowSettings = lazySchema(() =>
  WorkflowSettingsInput.unwrap().extend({
    /** bumped on every change; a PUT names the version it replaces (optimistic locking) */
    version: z.int().min(1),
    updatedAt: z.iso.datetime(),
    updatedBy: z.string().min(1),
  }),
);
export type WorkflowSettings = z.infer<typeof WorkflowSettings>;

let defaults: WorkflowSettings | undefined;
/** What a fresh stage runs with until an admin says otherwise (built on first use, as the schemas are). */
export const defaultWorkflowSettings = (): WorkflowSettings =>
  (defaults ??= WorkflowSettings.parse({
    version: 1,
    updatedAt: '1970-01-01T00:00:00.000Z',
    updatedBy: 'system:defaults',
    autoApprove: true,
    paymentDeadlineMinutes: 60,
    review: { totalAbove: { CNY: 1_000_000, USD: 150_000, EUR: 150_000 } },
  }));

/** The settings after an admin's change: validated, version bumped, who and when recorded. */
export function nextWorkflowSettings(current: WorkflowSettings, input: unknown, updatedBy: string, now: Date): WorkflowSettings {
  const parsed = WorkflowSettingsInput.parse(input);
  return WorkflowSettings.parse({ ...parsed, version: current.version + 1, updatedAt: now.toISOString(), updatedBy });
}

/** When an order approved at `approvedAt` expires if still unpaid. */
export function paymentDueAt(approvedAt: Date, settings: Pick<WorkflowSettings, 'paymentDeadlineMinutes'>): Date {
  return new Date(approvedAt.getTime() + settings.paymentDeadlineMinutes * 60_000);
}
