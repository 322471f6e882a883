import { Engine, type RuleProperties } from 'json-rules-engine';
import * as z from 'zod';
import { Money } from './money';
import { Channel } from './order';
import type { WorkflowSettings } from './workflow-settings';
import { lazySchema } from './lazy-schema';

// Review (審核) is configured, not coded: an admin edits one small validated document
// (GET/PUT /settings/workflow) and every order that has reserved its stock is checked
// against it. The document stays plain data an admin can read; json-rules-engine
// evaluates it, so adding a rule kind is one translation below, not a new evaluator.

// The settings document itself lives in workflow-settings.ts (no engine there).
export * from './workflow-settings';

/** Everything review looks at, gathered by the caller (the customer's history comes from the store). */
export const ReviewFacts = lazySchema(() =>
  z.object({
    channel: Channel,
    total: Money,
    /** the email only when a rule asks about it (reviewNeedsEmail): events do not carry it */
    customer: z.object({ customerId: z.string(), email: z.string().optional() }),
    /** orders this customer placed before this one; only needed (and read) when a rule asks about first-time customers */
    previousOrders: z.int().min(0).optional(),
    shippingCountry: z.string(),
    skus: z.array(z.string()),
  }),
);
export type ReviewFacts = z.infer<typeof ReviewFacts>;

export const REVIEW_REASONS = [
  'auto-approve-off', 'total-above', 'channel', 'flagged-customer', 'first-time-customer', 'shipping-country', 'sku',
] as const;
export type ReviewReason = (typeof REVIEW_REASONS)[number];

export const ReviewOutcome = lazySchema(() =>
  z.object({
    decision: z.enum(['AUTO_APPROVE', 'MANUAL_REVIEW']),
    /** stable codes of the rules that matched, in settings order */
    rules: z.array(z.enum(REVIEW_REASONS)),
    /** the same, said for the reviewer and the timeline */
    reasons: z.array(z.string()),
  }),
);
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
            { fact: 'totalCurrency', operator: 'equal', value: currency },
            { fact: 'totalAmount', operator: 'greaterThan', value: limit },
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
      return `Customer ${facts.customer.email ?? facts.customer.customerId} is flagged for review`;
    case 'first-time-customer':
      return "This is the customer's first order";
    case 'shipping-country':
      return `Orders shipping to ${facts.shippingCountry} are reviewed`;
    case 'sku':
      return `Contains SKUs that need review: ${facts.skus.filter((s) => r.skus.includes(s)).join(', ')}`;
  }
}

const refusePath = (_value: unknown, path: string): never => {
  throw new Error(`review rules use flat facts, not JSON paths (got ${path})`);
};

/** Whether a rule asks about the customer's email, which only the order itself holds. */
export function reviewNeedsEmail(settings: Pick<WorkflowSettings, 'review'>): boolean {
  return settings.review.flaggedCustomers.emails.length > 0;
}

/** Auto-approve, or wait for a person with the reasons why. */
export async function evaluateReview(input: ReviewFacts, settings: Pick<WorkflowSettings, 'autoApprove' | 'review'>): Promise<ReviewOutcome> {
  const facts = ReviewFacts.parse(input);
  // Every fact is supplied, so a rule naming an unknown fact is a bug and should fail loudly.
  // Facts are flat: no rule reads a JSON path, and function bundles leave the JSONPath library out.
  const engine = new Engine(reviewRules(settings), { allowUndefinedFacts: false, pathResolver: refusePath });
  const { events } = await engine.run({
    channel: facts.channel,
    totalCurrency: facts.total.currency,
    totalAmount: facts.total.amount,
    // absent only when no rule asks about it: a rule asking without it fails loudly (allowUndefinedFacts off)
    ...(facts.customer.email !== undefined ? { customerEmail: facts.customer.email.trim().toLowerCase() } : {}),
    customerId: facts.customer.customerId,
    ...(facts.previousOrders !== undefined ? { previousOrders: facts.previousOrders } : {}),
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
