import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { businessDay } from '../../shared/domain/reports';
import { defaultWorkflowSettings } from '../../shared/domain/workflow-settings';
import { consoleSession, hasChromium, signInAs, type ConsolePage } from '../support/browser';
import { apiUrl, call, createProduct, deliveredOrder, eventually, getOrder, paidOrder, stockOf, uniqueSku } from './client';

// The operations screens in Chromium against the run's local cloud: the reports draw their
// charts from orders paid in this test, ops adjusts stock, picks, packs and ships a paid
// order and receives a return from the after-sales queue. Every page is checked for console
// errors and failed requests, with a screenshot per screen in test-results/console/.

/** A storefront order paid by bank transfer, once PAID. */
async function paid(lines: { sku: string; quantity: number }[]) {
  const orderId = await paidOrder(lines);
  return (await eventually(() => getOrder(orderId), (r) => r.body?.status === 'PAID')).body as { orderId: string; orderNumber: string };
}

/** What the test reads of a canvas (this file is type-checked without the DOM library). */
interface Canvas {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}

/** Pixels of a chart's canvas that are not blank (transparent or white). */
const inkOf = (c: ConsolePage, label: string) =>
  c.page.locator(`[data-chart="${label}"] canvas`).first().evaluate((el) => {
    const canvas = el as unknown as Canvas;
    const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240)) ink++;
    return ink;
  });

describe.skipIf(!hasChromium)('the operations screens in Chromium', () => {
  const page = consoleSession(apiUrl);

  it('finance opens the reports: the charts are drawn from the orders paid here, and the CSV downloads', async () => {
    const sku = uniqueSku('RPT');
    await createProduct(sku, 50, 4200);
    await paid([{ sku, quantity: 3 }]);
    await paid([{ sku, quantity: 2 }]);
    // the aggregate-reports worker counts the payments from the bus, on the business's days
    // (the stage's default time zone, Asia/Shanghai: its day starts at 16:00 UTC)
    const today = businessDay(new Date(), defaultWorkflowSettings().timeZone);
    await eventually(
      () => call('GET', `/reports/sales?from=${today}&to=${today}&groupBy=sku&top=1000`, { as: 'finance' }),
      (r) => r.body?.rows?.some((row: { key: string; orders: number }) => row.key === sku && row.orders === 2),
    );

    const c = await page();
    await signInAs(c, 'finance');
    await c.page.goto(`${apiUrl()}/console/#/reports`);
    await c.page.locator('[data-chart="trend"] canvas').waitFor();
    // the top-SKU chart names this test's SKU; every chart has ink on its canvas
    await expect.poll(() => c.page.locator('[data-chart="skus"] canvas').count()).toBe(1);
    for (const chart of ['trend', 'channels', 'skus', 'profit', 'times']) {
      await expect.poll(() => inkOf(c, chart).then((ink) => ({ chart, ink: ink > 500 }))).toEqual({ chart, ink: true });
    }
    const orders = Number((await c.page.locator('[data-kpi="orders"] strong').textContent()) ?? 0);
    expect(orders).toBeGreaterThanOrEqual(2);

    // against the period before: the trend gets a second line and the figures a change
    await c.page.locator('input[name="compare"]').check();
    await c.page.locator('[data-kpi="orders"] .change').waitFor();

    const [download] = await Promise.all([c.page.waitForEvent('download'), c.page.locator('button[data-csv="salesReport"]').first().click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\n')[0]).toMatch(/key|day/i);
    await c.shot('reports');
    expect(c.problems()).toEqual([]);
  });

  it('ops adjusts stock with a reason and sees it in the levels and the ledger', async () => {
    const sku = uniqueSku('STK');
    await createProduct(sku, 10);
    const c = await page();
    await signInAs(c, 'ops');
    await c.page.goto(`${apiUrl()}/console/#/stock?sku=${sku}`);
    const form = c.page.locator('form.adjust');
    await form.locator('input[name="delta"]').fill('-3');
    await form.locator('select[name="reason"]').selectOption('DAMAGED');
    await form.locator('input[name="note"]').fill('crushed carton');
    await form.locator('button[type="submit"]').click();
    await form.locator('.notice').waitFor();
    expect(await stockOf(sku)).toMatchObject({ onHand: 7, available: 7 });
    // the ledger's newest entry is this adjustment
    await expect.poll(() => c.page.locator('table.ledger tbody tr').first().textContent()).toContain('ADJUSTMENT');
    await expect.poll(() => c.page.locator('.sku-panel tr[data-location] td').nth(1).textContent()).toBe('7');
    // a bad adjustment is refused with the reason beside the field, and changes nothing
    await form.locator('input[name="delta"]').fill('0');
    await form.locator('button[type="submit"]').click();
    await form.locator('.field-error', { hasText: /zero/ }).waitFor();
    expect(await stockOf(sku)).toMatchObject({ onHand: 7 });
    await c.shot('stock');
    expect(c.problems().filter((p: string) => !/^HTTP 400 \/inventory\//.test(p))).toEqual([]);
  });

  it('ops picks, packs and ships a paid order with a carrier and tracking number', async () => {
    const sku = uniqueSku('SHIP');
    await createProduct(sku, 10);
    const order = await paid([{ sku, quantity: 2 }]);
    const c = await page();
    await signInAs(c, 'ops');
    await c.page.goto(`${apiUrl()}/console/#/fulfilment`);
    await c.page.locator(`tr[data-order="${order.orderNumber}"]`).click();
    await c.page.locator('button[data-action="open"]').click();
    const pick = c.page.locator('.pick-list');
    await expect.poll(() => pick.textContent()).toContain(sku);
    await c.shot('fulfilment-pick-list');
    await c.page.locator('button[data-action="pack"]').click();
    const tracking = `SB${randomUUID().slice(0, 10).toUpperCase()}`;
    await c.page.locator('form.ship select[name="carrier"]').selectOption('sandbox');
    await c.page.locator('form.ship input[name="trackingNumber"]').fill(tracking);
    await c.page.locator('form.ship button[type="submit"]').click();
    await c.page.locator('.outbound .notice', { hasText: tracking }).waitFor();
    const shipped = await eventually(() => getOrder(order.orderId), (r) => r.body?.status === 'SHIPPED');
    expect(shipped.body.status).toBe('SHIPPED');
    await c.shot('fulfilment');
    expect(c.problems()).toEqual([]);
  });

  it('ops works the after-sales queue: an approved return is received from the screen and moves to the refunded list', async () => {
    const sku = uniqueSku('AFT');
    await createProduct(sku, 10, 1200);
    const orderId = await deliveredOrder([{ sku, quantity: 2 }]);
    const asked = await call('POST', `/orders/${orderId}/returns`, { as: 'cs', body: { type: 'return', lines: [{ sku, quantity: 1, reason: 'too big' }] } });
    expect(asked.status, JSON.stringify(asked.body)).toBe(201);
    const returnId = asked.body.returnId as string;

    const c = await page();
    await signInAs(c, 'ops');
    await c.page.goto(`${apiUrl()}/console/#/aftersales`);
    // requested: in the queue, but ops may not approve it
    const row = c.page.locator(`tr[data-return="${returnId}"]`);
    await row.click();
    await c.page.locator(`.return[data-return="${returnId}"]`).waitFor();
    expect(await c.page.locator('.return button', { hasText: 'Approve' }).count()).toBe(0);
    expect((await call('POST', `/returns/${returnId}/approve`, { as: 'cs' })).body.status).toBe('APPROVED');

    // approved: found with j/k and Enter, received line by line from the screen
    await c.page.locator('button[data-state="APPROVED"]').click();
    await row.waitFor();
    const rows = c.page.locator('table.returns tbody tr');
    const index = await rows.evaluateAll((trs, id) => trs.findIndex((tr) => (tr as unknown as { dataset: { return?: string } }).dataset.return === id), returnId);
    expect(index).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < index; i++) await c.page.keyboard.press('j');
    await expect.poll(() => row.getAttribute('aria-selected')).toBe('true');
    await c.page.keyboard.press('Enter');
    const card = c.page.locator(`.return[data-return="${returnId}"]`);
    await card.locator(`select[name="condition-${sku}"]`).selectOption('resellable');
    await card.locator('button', { hasText: 'Receive' }).click();
    await card.locator('.notice', { hasText: 'REFUNDED' }).waitFor();
    // it left the approved list and is in the refunded one, with its refund
    await expect.poll(() => row.count()).toBe(0);
    await c.page.locator('button[data-state="REFUNDED"]').click();
    await row.waitFor();
    expect(await row.textContent()).toContain('12.00');
    expect((await call('GET', `/returns/${returnId}`, { as: 'cs' })).body.status).toBe('REFUNDED');
    expect(await stockOf(sku)).toMatchObject({ available: 9 });
    await c.shot('aftersales');
    expect(c.problems()).toEqual([]);
  });
});
