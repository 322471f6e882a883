import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  defaultWorkflowSettings, ReviewOutcome, WorkflowSettings, WorkflowSettingsInput, evaluateReview, nextWorkflowSettings,
  reviewRules, type ReviewFacts,
} from '../../../shared/domain/review-policy';

const facts = (over: Partial<ReviewFacts> = {}): ReviewFacts => ({
  channel: 'web',
  total: { amount: 10_000, currency: 'CNY' },
  customer: { customerId: 'cus_1', email: 'ann@example.com' },
  previousOrders: 3,
  shippingCountry: 'CN',
  skus: ['TEA-1'],
  ...over,
});

const settings = (review: z.input<typeof WorkflowSettingsInput>['review'], autoApprove = true) =>
  WorkflowSettings.parse({ version: 2, updatedAt: '2026-11-27T00:00:00.000Z', updatedBy: 'admin:u-1', paymentDeadlineMinutes: 30, autoApprove, review });

describe('evaluateReview', () => {
  it('auto-approves an ordinary order under the default settings', async () => {
    const outcome = await evaluateReview(facts(), defaultWorkflowSettings());
    expect(ReviewOutcome.parse(outcome)).toEqual({ decision: 'AUTO_APPROVE', rules: [], reasons: [] });
  });

  it('reviews a total above the threshold of its currency only', async () => {
    const s = settings({ totalAbove: { CNY: 500_000, USD: 100 } });
    expect(await evaluateReview(facts({ total: { amount: 500_000, currency: 'CNY' } }), s)).toMatchObject({ decision: 'AUTO_APPROVE' });
    expect(await evaluateReview(facts({ total: { amount: 500_001, currency: 'CNY' } }), s)).toEqual({
      decision: 'MANUAL_REVIEW',
      rules: ['total-above'],
      reasons: ['Total 5000.01 CNY is above the review threshold 5000.00 CNY'],
    });
    // no threshold for EUR: no review on amount
    expect(await evaluateReview(facts({ total: { amount: 9_999_999, currency: 'EUR' } }), s)).toMatchObject({ decision: 'AUTO_APPROVE' });
    // JPY has no minor unit
    expect((await evaluateReview(facts({ total: { amount: 200, currency: 'JPY' } }), settings({ totalAbove: { JPY: 100 } }))).reasons)
      .toEqual(['Total 200 JPY is above the review threshold 100 JPY']);
  });

  it('reviews every order of a configured channel', async () => {
    const s = settings({ channels: ['phone', 'marketplace'] });
    expect((await evaluateReview(facts({ channel: 'phone' }), s)).rules).toEqual(['channel']);
    expect((await evaluateReview(facts({ channel: 'web' }), s)).rules).toEqual([]);
  });

  it('reviews a flagged customer by email (any case) or by id', async () => {
    const s = settings({ flaggedCustomers: { emails: ['Fraud@Example.com'], customerIds: ['cus_9'] } });
    expect((await evaluateReview(facts({ customer: { customerId: 'cus_1', email: 'fraud@example.COM' } }), s)).rules).toEqual(['flagged-customer']);
    expect((await evaluateReview(facts({ customer: { customerId: 'cus_9', email: 'x@example.com' } }), s)).rules).toEqual(['flagged-customer']);
    expect((await evaluateReview(facts(), s)).rules).toEqual([]);
  });

  it('reviews a first-time customer when asked to', async () => {
    expect((await evaluateReview(facts({ previousOrders: 0 }), settings({ firstTimeCustomers: true }))).reasons).toEqual([
      "This is the customer's first order",
    ]);
    expect((await evaluateReview(facts({ previousOrders: 1 }), settings({ firstTimeCustomers: true }))).rules).toEqual([]);
    expect((await evaluateReview(facts({ previousOrders: 0 }), settings({ firstTimeCustomers: false }))).rules).toEqual([]);
    // the customer's history is a read: without the first-time rule the caller leaves it out
    const { previousOrders: _, ...unread } = facts();
    expect((await evaluateReview(unread, settings({ firstTimeCustomers: false }))).decision).toBe('AUTO_APPROVE');
    await expect(evaluateReview(unread, settings({ firstTimeCustomers: true }))).rejects.toThrow(/previousOrders/);
  });

  it('reviews shipments to configured countries', async () => {
    const s = settings({ shippingCountries: ['US', 'RU'] });
    expect((await evaluateReview(facts({ shippingCountry: 'RU' }), s)).rules).toEqual(['shipping-country']);
    expect((await evaluateReview(facts({ shippingCountry: 'CN' }), s)).rules).toEqual([]);
  });

  it('reviews an order containing any configured SKU, naming them', async () => {
    const s = settings({ skus: ['GOLD-1', 'GOLD-2'] });
    expect(await evaluateReview(facts({ skus: ['TEA-1', 'GOLD-2', 'GOLD-1'] }), s)).toMatchObject({
      rules: ['sku'],
      reasons: ['Contains SKUs that need review: GOLD-2, GOLD-1'],
    });
    expect((await evaluateReview(facts({ skus: ['TEA-1'] }), s)).rules).toEqual([]);
  });

  it('reviews everything when auto-approval is off', async () => {
    expect((await evaluateReview(facts(), settings({}, false))).rules).toEqual(['auto-approve-off']);
  });

  it('gives every matching reason, in a stable order', async () => {
    const s = settings({ totalAbove: { CNY: 1 }, channels: ['web'], firstTimeCustomers: true, skus: ['TEA-1'] });
    const outcome = await evaluateReview(facts({ previousOrders: 0 }), s);
    expect(outcome.rules).toEqual(['total-above', 'channel', 'first-time-customer', 'sku']);
    expect(outcome.reasons).toHaveLength(4);
  });

  it('adds no rule for an empty list, so an empty policy approves everything', () => {
    expect(reviewRules(settings({}))).toEqual([]);
  });
});

describe('WorkflowSettings', () => {
  it('fills defaults for omitted review rules', () => {
    expect(WorkflowSettingsInput.parse({ paymentDeadlineMinutes: 30 })).toEqual({
      autoApprove: true,
      paymentDeadlineMinutes: 30,
      review: { totalAbove: {}, channels: [], flaggedCustomers: { emails: [], customerIds: [] }, firstTimeCustomers: false, shippingCountries: [], skus: [] },
      timeZone: 'Asia/Shanghai',
      allowCashOnDelivery: true,
      returnWindowDays: 7,
      returns: { autoApproveBelow: {}, autoApproveWithinDays: 0 },
    });
  });

  it('takes the business time zone by its IANA name', () => {
    expect(WorkflowSettingsInput.parse({ paymentDeadlineMinutes: 30, timeZone: 'Asia/Taipei' }).timeZone).toBe('Asia/Taipei');
    const result = WorkflowSettingsInput.safeParse({ paymentDeadlineMinutes: 30, timeZone: 'Mars/Olympus' });
    expect(result.success ? [] : result.error.issues.map((i) => i.path.join('.'))).toEqual(['timeZone']);
  });

  it('rejects bad settings with the path of each problem', () => {
    const result = WorkflowSettingsInput.safeParse({
      paymentDeadlineMinutes: 0,
      review: {
        totalAbove: { cny: 100, USD: -1 },
        channels: ['fax'],
        flaggedCustomers: { emails: ['not-an-email'] },
        shippingCountries: ['ZZ'],
        skus: ['bad sku'],
        unknownRule: true,
      },
    });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual([
      'paymentDeadlineMinutes',
      'review',
      'review.channels.0',
      'review.flaggedCustomers.emails.0',
      'review.shippingCountries.0',
      'review.skus.0',
      'review.totalAbove.USD',
      'review.totalAbove.cny',
    ]);
    expect(result.error!.issues.find((i) => i.path.join('.') === 'review')!.code).toBe('unrecognized_keys');
  });

  it('bumps the version and records who changed it and when', () => {
    const now = new Date('2026-11-27T04:00:00.000Z');
    const next = nextWorkflowSettings(defaultWorkflowSettings(), { paymentDeadlineMinutes: 15, review: { channels: ['phone'] } }, 'admin:u-1', now);
    expect(next).toMatchObject({ version: 2, updatedAt: now.toISOString(), updatedBy: 'admin:u-1', paymentDeadlineMinutes: 15 });
    expect(next.review.channels).toEqual(['phone']);
    expect(() => nextWorkflowSettings(defaultWorkflowSettings(), { paymentDeadlineMinutes: 15, version: 99 }, 'a', now)).toThrow(z.ZodError);
  });

  it('keeps the defaults valid', () => {
    expect(WorkflowSettings.parse(defaultWorkflowSettings())).toEqual(defaultWorkflowSettings());
  });
});

describe('payment deadline', () => {
  it('is the approval time plus the configured minutes', async () => {
    const { paymentDueAt } = await import('../../../shared/domain/review-policy');
    expect(paymentDueAt(new Date('2026-11-27T03:00:00.000Z'), { paymentDeadlineMinutes: 90 }).toISOString()).toBe('2026-11-27T04:30:00.000Z');
  });
});
