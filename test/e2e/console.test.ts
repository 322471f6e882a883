import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { consoleSession, hasChromium, signInAs } from '../support/browser';
import { apiUrl, call, createProduct, eventually, getOrder, orderBody, reviewsReadSettingsAnew, settled, token, uniqueSku } from './client';

// The console in a real browser (Chromium, headless) against the run's local cloud: staff
// at work as they would click and type, each page checked for console errors and failed
// requests, a screenshot per screen in test-results/console/. Without Chromium the e2e
// setup says loudly that these are skipped (test/support/browser.ts).

async function workflowSettings() {
  const res = await call('GET', '/settings/workflow', { as: 'admin' });
  expect(res.status).toBe(200);
  return res.body as { version: number; review: { skus: string[] } } & Record<string, unknown>;
}

/** Orders with these SKUs wait for a person (the review rule by SKU), so only this test's orders are affected. */
async function reviewSkus(change: (skus: string[]) => string[]) {
  const { version, updatedAt: _u, updatedBy: _b, ...doc } = await workflowSettings();
  const review = doc.review as { skus: string[] };
  const res = await call('PUT', '/settings/workflow', {
    as: 'admin', body: { ...doc, review: { ...review, skus: change(review.skus) } }, headers: { 'if-match': `"${version}"` },
  });
  expect(res.status).toBe(200);
  await reviewsReadSettingsAnew();
}

async function placed(sku: string, overrides: Record<string, unknown> = {}, quantity = 1) {
  const res = await call('POST', '/orders', { as: 'storefront', body: orderBody([{ sku, quantity }], overrides), headers: { 'idempotency-key': randomUUID() } });
  expect(res.status).toBe(202);
  return res.body as { orderId: string; orderNumber: string };
}

const inReview = (orderId: string) =>
  eventually(() => getOrder(orderId), (r) => r.body.status === 'IN_REVIEW' && Array.isArray(r.body.reviewReasons)).then((r) => r.body);

describe.skipIf(!hasChromium)('the console in Chromium', () => {
  const page = consoleSession(apiUrl);

  it('ops signs in and approves the oldest order of the review queue with one keystroke; a changed order is reported, not acted on', async () => {
    const sku = uniqueSku('REVIEW');
    await createProduct(sku, 10);
    await reviewSkus((skus) => [...skus, sku]);
    try {
      const first = await placed(sku);
      await inReview(first.orderId);
      const second = await placed(sku);
      const secondOrder = await inReview(second.orderId);
      const third = await placed(sku);
      await inReview(third.orderId);

      const c = await page({ expected: [/^409 \/orders\/[^/]+\/approve$/] });
      await signInAs(c, 'ops');
      // ops lands on the review queue: oldest first, with the reasons
      const rows = c.page.locator('table.review tbody tr');
      const mine = c.page.locator(`tr[data-order="${first.orderNumber}"]`);
      await mine.waitFor();
      const numbers = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-order')));
      expect(numbers.indexOf(first.orderNumber)).toBeLessThan(numbers.indexOf(second.orderNumber));
      await expect.poll(() => mine.locator('td').nth(5).textContent()).toContain(sku);
      await c.shot('review-queue');

      // select the row, then one key: approved
      await mine.locator('td').nth(1).click();
      await c.page.keyboard.press('a');
      await c.page.getByRole('status').filter({ hasText: `${first.orderNumber} approved` }).waitFor();
      await expect.poll(async () => (await getOrder(first.orderId)).body.status).toBe('AWAITING_PAYMENT');
      expect(await mine.count()).toBe(0);

      // r, then 1: rejected with the first of the offered reasons
      await c.page.locator(`tr[data-order="${third.orderNumber}"] td`).nth(1).click();
      await c.page.keyboard.press('r');
      await c.page.locator('form.dialog').waitFor();
      await c.page.keyboard.press('1');
      await c.page.getByRole('status').filter({ hasText: `${third.orderNumber} rejected` }).waitFor();
      expect((await getOrder(third.orderId)).body).toMatchObject({ status: 'REJECTED', rejectionReason: 'Suspected fraud' });

      // someone else acts on the second order meanwhile: the console shows the conflict and does nothing
      const other = await call('POST', `/orders/${second.orderId}/reject`, { as: 'admin', body: { reason: 'Handled by phone' }, headers: { 'if-match': `"${secondOrder.version}"` } });
      expect(other.status).toBe(200);
      await c.page.locator(`tr[data-order="${second.orderNumber}"] td`).nth(1).click();
      await c.page.keyboard.press('a');
      await c.page.getByRole('alert').filter({ hasText: `${second.orderNumber} changed since you saw it` }).waitFor();
      expect((await getOrder(second.orderId)).body.status).toBe('REJECTED');
      await expect.poll(() => c.page.locator(`tr[data-order="${second.orderNumber}"]`).count()).toBe(0);
      expect(c.problems()).toEqual([]);
    } finally {
      await reviewSkus((skus) => skus.filter((s) => s !== sku));
    }
  });

  it('customer service finds an order by phone and adds a note to it', async () => {
    const sku = uniqueSku('PHONE');
    await createProduct(sku, 5);
    const phone = `+86 139 ${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    const order = await placed(sku, { customer: { email: `cs-${randomUUID().slice(0, 8)}@example.com`, name: 'Chen Jing', phone } });
    await settled(order.orderId);

    const c = await page();
    await signInAs(c, 'cs');
    // customer service may not review: no review queue in its nav, the search first
    await expect.poll(() => c.page.locator('nav.side a').allTextContents()).toEqual(expect.arrayContaining(['Orders', 'Notifications']));
    expect(await c.page.locator('nav.side a', { hasText: 'Review queue' }).count()).toBe(0);
    await c.page.getByRole('searchbox').fill(phone);
    await c.page.keyboard.press('Enter');
    // the recent orders shown before the search may hold the order too: wait for the search's answer
    await expect.poll(() => c.page.url()).toContain('q=');
    const row = c.page.locator('table.orders tbody tr', { hasText: order.orderNumber });
    await row.waitFor();
    await expect.poll(() => c.page.locator('table.orders tbody tr').count()).toBe(1);
    await c.shot('order-search');
    await c.page.keyboard.press('Enter'); // the first (only) row is selected: open it
    await c.page.locator('h1', { hasText: order.orderNumber }).waitFor();

    const note = `Customer called: leave the parcel with the concierge (${randomUUID().slice(0, 6)})`;
    await c.page.locator('button[data-action="note"]').click();
    await c.page.locator('form.dialog textarea').fill(note);
    await c.page.locator('form.dialog button[type="submit"]').click();
    await c.page.locator('ol.notes li', { hasText: note }).waitFor();
    const story = await call('GET', `/orders/${order.orderId}/story`, { as: 'cs' });
    expect(story.body.notes.map((n: { detail?: string }) => n.detail)).toContain(note);
    await c.shot('order-page');
    expect(c.problems()).toEqual([]);
  });

  it('finance issues a partial refund of a paid order', async () => {
    const sku = uniqueSku('REFUND');
    await createProduct(sku, 5, 2500);
    const order = await placed(sku, {}, 2);
    await eventually(() => getOrder(order.orderId), (r) => r.body.status === 'AWAITING_PAYMENT');
    const started = await call('POST', `/orders/${order.orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
    expect(started.status).toBe(201);
    const confirmed = await call('POST', `/orders/${order.orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: 'CMB-CONSOLE-1' } });
    expect(confirmed.status).toBe(200);

    const c = await page();
    await signInAs(c, 'finance');
    await c.page.goto(`${apiUrl()}/console/#/orders/${order.orderId}`);
    await c.page.locator('h1', { hasText: order.orderNumber }).waitFor();
    // finance refunds; it neither cancels nor ships
    expect(await c.page.locator('button[data-action="cancel"], button[data-action="ship"]').count()).toBe(0);
    await c.page.locator('button[data-action="refund"]').click();
    await c.page.locator('input[name="amount"]').fill('12.50');
    await c.page.locator('input[name="reason"]').fill('One unit arrived scratched');
    await c.page.locator('form.dialog button[type="submit"]').click();
    await c.page.getByRole('status').filter({ hasText: 'Done' }).waitFor();
    const payments = await call('GET', `/orders/${order.orderId}/payments`, { as: 'finance' });
    expect(payments.body.refunds).toEqual([expect.objectContaining({ amount: { amount: 1250, currency: 'CNY' }, reason: 'One unit arrived scratched' })]);
    await c.page.locator('td', { hasText: 'One unit arrived scratched' }).waitFor();
    await c.shot('order-refund');
    expect(c.problems()).toEqual([]);
  });

  it('an admin sees the API\'s validation error at the settings field, then saves a new version into the history', async () => {
    const c = await page({ expected: [/^400 \/settings\/workflow$/] });
    await signInAs(c, 'admin');
    await c.page.locator('nav.side a', { hasText: 'Settings' }).click();
    const field = c.page.locator('[data-field="paymentDeadlineMinutes"]');
    await field.locator('input').fill('0');
    await c.page.locator('form.stack button[type="submit"]').click();
    await expect.poll(() => field.locator('.field-error').textContent()).not.toBe('');
    expect(await field.getAttribute('class')).toContain('invalid');
    // corrected, it saves a new version, which heads the history (newest first)
    const before = await workflowSettings();
    await field.locator('input').fill(String(before.paymentDeadlineMinutes));
    await c.page.locator('form.stack button[type="submit"]').click();
    await c.page.getByRole('status').filter({ hasText: `Saved: version ${before.version + 1}` }).waitFor();
    expect(await field.locator('.field-error').textContent()).toBe('');
    await expect.poll(() => c.page.locator('table.history tbody tr:first-child td').first().textContent()).toBe(String(before.version + 1));
    await c.shot('settings');
    expect(c.problems()).toEqual([]);
  });

  it('the shell at tablet width in Traditional Chinese: notifications of the department, the queue and the search fit the screen', async () => {
    const c = await page({ viewport: { width: 768, height: 1024 }, locale: 'zh-TW' });
    await c.page.locator('h1', { hasText: 'OMS 後台' }).waitFor();
    await signInAs(c, 'ops');
    await c.page.locator('nav.side a', { hasText: '通知' }).click();
    await c.page.locator('table.notifications tbody tr:not(.empty-row)').first().waitFor();
    const times = await c.page.locator('table.notifications tbody tr').evaluateAll((trs) => trs.length);
    expect(times).toBeGreaterThan(0);
    // the nav is a row of tabs and nothing is wider than the screen
    expect(await c.documentWidth()).toBeLessThanOrEqual(768);
    await c.shot('notifications-tablet');
    for (const [tab, name] of [['審核佇列', 'review-queue-tablet'], ['訂單查詢', 'orders-tablet']] as const) {
      await c.page.locator('nav.side a', { hasText: tab }).click();
      await c.page.locator('table.list tbody tr, p.empty').first().waitFor();
      expect(await c.documentWidth()).toBeLessThanOrEqual(768);
      await c.shot(name);
    }
    expect(c.problems()).toEqual([]);
  });

  it('the API reference renders the API\'s own OpenAPI document', async () => {
    const c = await page();
    await c.page.goto(`${apiUrl()}/docs`);
    await c.page.locator('.swagger-ui .info .title', { hasText: 'OMS API' }).waitFor();
    // one operation per route of the API
    const openapi = await call('GET', '/openapi.json');
    const operations = Object.values(openapi.body.paths as Record<string, object>).reduce((n, ops) => n + Object.keys(ops).length, 0);
    await expect.poll(() => c.page.locator('.opblock').count()).toBe(operations);
    expect(c.problems()).toEqual([]);
  });

  it('a storefront token cannot open the console', async () => {
    const c = await page();
    await c.page.locator('textarea[name="token"]').fill(token('storefront'));
    await c.page.locator('form.paste-token button[type="submit"]').click();
    await c.page.getByRole('alert').filter({ hasText: 'This console is for staff' }).waitFor();
    expect(await c.page.locator('nav.side').count()).toBe(0);
    // nor through storage: a storefront token left in the session is dropped on load
    await c.page.evaluate((t) => sessionStorage.setItem('oms.console.token', t), token('storefront'));
    await c.page.reload();
    await c.page.locator('button[data-sign-in="cognito"]').waitFor();
    expect(await c.page.locator('nav.side').count()).toBe(0);
    await c.shot('sign-in');
    expect(c.problems()).toEqual([]);
  });
});
