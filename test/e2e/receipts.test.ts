import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../shared/api/routes';
import { apiUrl, call, createProduct, eventually, getOrder, placeOrder, token, uniqueSku } from './client';

// Payment vouchers over HTTP through the local cloud: a bank transfer confirmed by
// finance is a SUCCEEDED payment; its voucher comes as JSON, HTML and PDF, and its code
// is confirmed by the public check without personal data.

const isProblem = (res: { status: number; headers: Headers; body: { status?: number } }, status: number) =>
  res.status === status && res.headers.get('content-type') === 'application/problem+json' && res.body.status === status;

describe('payment vouchers over HTTP', () => {
  it('the public check answers a made-up or malformed code with a problem, without a token', async () => {
    expect(isProblem(await call('GET', '/receipts/pay_NOSUCHPAYMENT.AAAAAAAAAAAAAAAAAAAA'), 404)).toBe(true);
    expect(isProblem(await call('GET', '/receipts/not-a-code'), 400)).toBe(true);
  });

  // Runs once the payment routes (bank transfer confirmed by finance) are part of the API.
  it.runIf('confirmPayment' in ROUTES)('a bank transfer confirmed by finance has a voucher as JSON, HTML and PDF, and a code anyone can check', async () => {
    const sku = uniqueSku('RCPT');
    await createProduct(sku, 10, 1299);
    const placed = await placeOrder([{ sku, quantity: 2 }]);
    const order = (await eventually(() => getOrder(placed.body.orderId), (r) => r.body?.status === 'AWAITING_PAYMENT')).body as {
      orderId: string; orderNumber: string; customer: { name: string; email: string };
    };
    const started = await call('POST', `/orders/${order.orderId}/payments`, { as: 'storefront', body: { method: 'bank_transfer' } });
    expect(started.status).toBe(201);
    const path = `/orders/${order.orderId}/payments/${started.body.paymentId}/receipt`;
    // not succeeded yet: no voucher
    expect(isProblem(await call('GET', path, { as: 'finance' }), 404)).toBe(true);
    const confirmed = await call('POST', `/orders/${order.orderId}/payments/${started.body.paymentId}/confirm`, { as: 'finance', body: { reference: 'CMB-RCPT-001' } });
    expect(confirmed.status).toBe(200);

    const json = await call('GET', path, { as: 'storefront' });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      orderNumber: order.orderNumber, payer: order.customer.name, method: 'bank_transfer', provider: 'manual',
      providerRef: 'CMB-RCPT-001', amount: { amount: 2598, currency: 'CNY' }, amountText: 'CN¥25.98', timeZone: 'Asia/Shanghai',
    });
    expect(isProblem(await call('GET', path, { as: 'ops' }), 403)).toBe(true);

    const html = await call('GET', path, { as: 'cs', headers: { accept: 'text/html' } });
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html.body).toContain('支付憑證');
    expect(html.body).toContain(json.body.verificationCode);

    const pdf = await fetch(`${apiUrl()}${path}`, { headers: { accept: 'application/pdf', authorization: `Bearer ${token('finance')}` } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'oms-receipt-e2e-'));
    try {
      writeFileSync(join(dir, 'receipt.pdf'), Buffer.from(await pdf.arrayBuffer()));
      const text = execFileSync('pdftotext', [join(dir, 'receipt.pdf'), '-'], { encoding: 'utf8' });
      for (const expected of ['支付憑證', order.orderNumber, order.customer.name, 'CN¥25.98', 'CMB-RCPT-001']) expect(text).toContain(expected);
      execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', join(dir, 'receipt.pdf'), join(dir, 'page')]);
      const png = readFileSync(join(dir, 'page-1.png'));
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([662, 936]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const check = await call('GET', `/receipts/${json.body.verificationCode}`);
    expect(check.status).toBe(200);
    expect(check.body).toEqual({
      valid: true, orderNumber: order.orderNumber, amount: { amount: 2598, currency: 'CNY' }, amountText: 'CN¥25.98',
      method: 'bank_transfer', paidAt: json.body.paidAt, paidAtLocal: json.body.paidAtLocal,
    });
    expect(JSON.stringify(check.body)).not.toContain(order.customer.email);
    const tampered = json.body.verificationCode.replace(/.$/, (c: string) => (c === 'A' ? 'B' : 'A'));
    expect(isProblem(await call('GET', `/receipts/${tampered}`), 404)).toBe(true);
  });
});
