import { Engine, type RuleProperties } from 'json-rules-engine';
import { z } from 'zod';
import { Currency, Money } from './money';
import { Channel, CountryCode } from './order';
import { Sku } from './product';

// Review (審核) is configured, not coded: an admin edits one small validated document
// (GET/PUT /settings/workflow) and every order that has reserved its stock is checked
// against it. The document stays plain data an admin can read; json-rules-engine
// evaluates it, so adding a rule kind is one translation below, not a new evaluator.

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));

export const ReviewRules = z.strictObject({
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
});
export type ReviewRules = z.infer<typeof ReviewRules>;

/** What an admin sends; the server stamps version and audit fields. */
export const WorkflowSettingsInput = z.strictObject({
  /** false: every order waits for a person, whatever the rules say */
  autoApprove: z.boolean().default(true),
  /** how long an approved order may stay unpaid before the expiry job releases its stock */
  // (a minute at least: short deadlines are for demos and tests; shops use an hour or more)
  paymentDeadlineMinutes: z.int().min(1).max(30 * 24 * 60),
  review: ReviewRules.default(ReviewRules.parse({})),
});
export type WorkflowSettingsInput = z.input<typeof WorkflowSettingsInput>;

export const WorkflowSettings = WorkflowSettingsInput.extend({
  /** bumped on every change; a PUT names the version it replaces (optimistic locking) */
  version: z.int().min(1),
  updatedAt: z.iso.datetime(),
  updatedBy: z.string().min(1),
});
export type WorkflowSettings = z.infer<typeof WorkflowSettings>;

/** What a fresh stage runs with until an admin says otherwise. */
export const DEFAULT_WORKFLOW_SETTINGS: WorkflowSettings = WorkflowSettings.parse({
  version: 1,
  updatedAt: '1970-01-01T00:00:00.000Z',
  updatedBy: 'system:defaults',
  autoApprove: true,
  paymentDeadlineMinutes: 60,
  review: { totalAbove: { CNY: 1_000_000, USD: 150_000, EUR: 150_000 } },
});

/** The settings after an admin's change: validated, version bumped, who and when recorded. */
export function nextWorkflowSettings(current: WorkflowSettings, input: unknown, updatedBy: string, now: Date): WorkflowSettings {
  const parsed = WorkflowSettingsInput.parse(input);
  return WorkflowSettings.parse({ ...parsed, version: current.version + 1, updatedAt: now.toISOString(), updatedBy });
}

/** When an order approved at `approvedAt` expires if still unpaid. */
export function paymentDueAt(approvedAt: Date, settings: Pick<WorkflowSettings, 'paymentDeadlineMinutes'>): Date {
  return new Date(approvedAt.getTime() + settings.paymentDeadlineMinutes * 60_000);
}

/** Everything review looks at, gathered by the caller (the customer's history comes from the store). */
export const ReviewFacts = z.object({
  channel: Channel,
  total: Money,
  customer: z.object({ customerId: z.string(), email: z.string() }),
  /** orders this customer placed before this one */
  previousOrders: z.int().min(0),
  shippingCountry: z.string(),
  skus: z.array(z.string()),
});
export type ReviewFacts = z.infer<typeof ReviewFacts>;

export const REVIEW_REASONS = [
  'auto-approve-off', 'total-above', 'channel', 'flagged-customer', 'first-time-customer', 'shipping-country', 'sku',
] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const ReviewOutcome = z.object({
  decision: z.enum(['AUTO_APPROVE', 'MANUAL_REVIEW']),
  /** stable codes of the rules that matched, in settings order */
  rules: z.array(z.enum(REVIEW_REASONS)),
  /** the same, said for the reviewer and the timeline */
  reasons: z.array(z.string()),
});
export type ReviewOutcome = z.infer<typeof ReviewOutcome>;

const rule = (code: ReviewReason, conditions: RuleProperties['conditions']): RuleProperties => ({
  name: code,
  conditions,
  event: { type: 'manual-review', params: { code } },
});

/** The settings as json-rules-engine rules: one rule per configured kind, none for an empty list. */
export function reviewRules(settings: Pick<WorkflowSettings, 'autoApprove' | 'review'>): RuleProperties[] {
  const r = settings.review;
  const rules: RuleProperties[] = [];
  if (!settings.autoApprove) rules.push(rule('auto-approve-off', { all: [] }));
  const thresholds = Object.entries(r.totalAbove);
  if (thresholds.length > 0) {
    rules.push(
      rule('total-above', {
        any: thresholds.map(([currency, limit]) => ({
          all: [
            { fact: 'total', path: '$.currency', operator: 'equal', value: currency },
            { fact: 'total', path: '$.amount', operator: 'greaterThan', value: limit },
          ],
        })),
      }),
    );
  }
  if (r.channels.length > 0) rules.push(rule('channel', { all: [{ fact: 'channel', operator: 'in', value: r.channels }] }));
  const flagged = [
    ...(r.flaggedCustomers.emails.length > 0 ? [{ fact: 'customerEmail', operator: 'in', value: r.flaggedCustomers.emails }] : []),
    ...(r.flaggedCustomers.customerIds.length > 0 ? [{ fact: 'customerId', operator: 'in', value: r.flaggedCustomers.customerIds }] : []),
  ];
  if (flagged.length > 0) rules.push(rule('flagged-customer', { any: flagged }));
  if (r.firstTimeCustomers) rules.push(rule('first-time-customer', { all: [{ fact: 'previousOrders', operator: 'equal', value: 0 }] }));
  if (r.shippingCountries.length > 0) {
    rules.push(rule('shipping-country', { all: [{ fact: 'shippingCountry', operator: 'in', value: r.shippingCountries }] }));
  }
  // someFact: true when any of the order's SKUs is in the list
  if (r.skus.length > 0) rules.push(rule('sku', { all: [{ fact: 'skus', operator: 'someFact:in', value: r.skus }] }));
  return rules;
}

function formatMoney(amount: number, currency: string): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
}

function explain(code: ReviewReason, facts: ReviewFacts, settings: Pick<WorkflowSettings, 'review'>): string {
  const r = settings.review;
  switch (code) {
    case 'auto-approve-off':
      return 'Automatic approval is switched off: every order is reviewed';
    case 'total-above': {
      const limit = r.totalAbove[facts.total.currency] ?? 0;
      return `Total ${formatMoney(facts.total.amount, facts.total.currency)} is above the review threshold ${formatMoney(limit, facts.total.currency)}`;
    }
    case 'channel':
      return `Orders from the ${facts.channel} channel are always reviewed`;
    case 'flagged-customer':
      return `Customer ${facts.customer.email} is flagged for review`;
    case 'first-time-customer':
      return "This is the customer's first order";
    case 'shipping-country':
      return `Orders shipping to ${facts.shippingCountry} are reviewed`;
    case 'sku':
      return `Contains SKUs that need review: ${facts.skus.filter((s) => r.skus.includes(s)).join(', ')}`;
  }
}

/** Auto-approve, or wait for a person with the reasons why. */
export async function evaluateReview(input: ReviewFacts, settings: Pick<WorkflowSettings, 'autoApprove' | 'review'>): Promise<ReviewOutcome> {
  const facts = ReviewFacts.parse(input);
  // every fact is supplied, so a rule naming an unknown fact is a bug and should fail loudly
  const engine = new Engine(reviewRules(settings), { allowUndefinedFacts: false });
  const { events } = await engine.run({
    channel: facts.channel,
    total: facts.total,
    customerEmail: facts.customer.email.trim().toLowerCase(),
    customerId: facts.customer.customerId,
    previousOrders: facts.previousOrders,
    shippingCountry: facts.shippingCountry,
    skus: [...new Set(facts.skus)],
  });
  const fired = new Set(events.map((e) => e.params?.code as ReviewReason));
  const rules = REVIEW_REASONS.filter((code) => fired.has(code));
  return {
    decision: rules.length === 0 ? 'AUTO_APPROVE' : 'MANUAL_REVIEW',
    rules,
    reasons: rules.map((code) => explain(code, facts, settings)),
  };
}
