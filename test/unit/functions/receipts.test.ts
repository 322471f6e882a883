import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHandler, negotiate, type StoredPayment } from '../../../functions/receipts/receipts';
import { REPO_ROOT } from '../../../infra/constructs/oms-function';
import { receiptCodes } from '../../../shared/payments/receipt';
import { RECEIPT_FONT_FILES } from '../../../shared/payments/receipt-pdf';
import type { OrderView } from '../../../shared/store/order-repository';
import { apiEvent, call, lambdaContext, TOKENS, type EventInput } from '../../support/api-event';

const codes = receiptCodes('unit-tests-receipt-secret-0123456789abcdef');
const ORDER = '01KBORDER0000000000000000A';
const PAID = '01KBPAY00000000000000000A1';
const PENDING = '01KBPAY00000000000000000A2';

const order = {
  orderId: ORDER, orderNumber: 'WEB-20261130-000042', placedBy: TOKENS.storefront.sub,
  customer: { customerId: 'c1', email: 'li@example.com', name: '李小龍', phone: '+886912345678' },
} as unknown as OrderView;
const payment = (paymentId: string, status: string): StoredPayment => ({
  paymentId, method: 'bank_transfer', provider: 'manual', amount: { amount: 120000, currency: 'TWD' }, status,
  reference: 'TW-BANK-77', settledAt: '2026-11-30T02:00:00.000Z', updatedAt: '2026-11-30T02:00:00.000Z',
});

let reads = 0;
const handler = makeHandler({
  orders: { get: async (id) => (reads++, id === ORDER ? order : undefined) },
  payments: {
    orderOf: async (id) => (reads++, [PAID, PENDING].includes(id) ? ORDER : undefined),
    money: async (id) => ({ payments: id === ORDER ? [payment(PAID, 'SUCCEEDED'), payment(PENDING, 'PENDING')] : [] }),
  },
  codes,
  timeZone: async () => 'Asia/Taipei',
  fonts: () => ({
    traditional: readFileSync(join(REPO_ROOT, 'node_modules', RECEIPT_FONT_FILES.traditional.source)),
    simplified: readFileSync(join(REPO_ROOT, 'node_modules', RECEIPT_FONT_FILES.simplified.source)),
  }),
});

const RECEIPT = 'GET /orders/{orderId}/payments/{paymentId}/receipt';
const receipt = (paymentId: string, claims: EventInput['claims'], headers: Record<string, string> = {}) =>
  ({ routeKey: RECEIPT, pathParameters: { orderId: ORDER, paymentId }, claims, headers }) satisfies EventInput;
const verify = (verificationCode: string) => ({ routeKey: 'GET /receipts/{verificationCode}', pathParameters: { verificationCode } });

describe('GET /orders/{orderId}/payments/{paymentId}/receipt', () => {
  it('gives the voucher of a succeeded payment as JSON by default', async () => {
    const res = await call(handler, receipt(PAID, TOKENS.finance));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toMatchObject({
      orderNumber: 'WEB-20261130-000042', payer: '李小龍', method: 'bank_transfer', providerRef: 'TW-BANK-77',
      amountText: 'NT$1,200.00', paidAtLocal: '2026-11-30 10:00:00 (UTC+08:00 Asia/Taipei)',
      verificationCode: codes.codeOf(PAID),
    });
  });

  it('gives HTML or PDF by Accept', async () => {
    const html = await handler(apiEvent(receipt(PAID, TOKENS.cs, { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' })), lambdaContext);
    expect(html.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers?.['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(html.body).toContain('李小龍');
    expect(html.body).toContain(`https://api.example.test/receipts/${codes.codeOf(PAID)}`);

    const pdf = await handler(apiEvent(receipt(PAID, TOKENS.storefront, { accept: 'application/pdf' })), lambdaContext);
    expect(pdf.headers?.['content-type']).toBe('application/pdf');
    expect(pdf.isBase64Encoded).toBe(true);
    expect(Buffer.from(pdf.body!, 'base64').subarray(0, 8).toString('latin1')).toBe('%PDF-1.7');
  });

  it('is a 404 for a payment that has not succeeded, another client\'s order, or a role that does not read vouchers', async () => {
    expect((await call(handler, receipt(PENDING, TOKENS.finance))).status).toBe(404);
    expect((await call(handler, receipt('01KBPAY00000000000000000ZZ', TOKENS.finance))).status).toBe(404);
    expect((await call(handler, receipt(PAID, TOKENS.otherStorefront))).status).toBe(404);
    expect((await call(handler, receipt(PAID, TOKENS.ops))).status).toBe(403);
    expect((await call(handler, receipt(PAID, undefined))).status).toBe(401);
  });
});

describe('GET /receipts/{verificationCode}', () => {
  it('confirms a genuine code without personal data', async () => {
    const res = await call(handler, verify(codes.codeOf(PAID)));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      valid: true, orderNumber: 'WEB-20261130-000042', amount: { amount: 120000, currency: 'TWD' }, amountText: 'NT$1,200.00',
      method: 'bank_transfer', paidAt: '2026-11-30T02:00:00.000Z', paidAtLocal: '2026-11-30 10:00:00 (UTC+08:00 Asia/Taipei)',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/李小龍|li@example\.com|\+886|TW-BANK-77/);
  });

  it('is a 404 for a tampered or made-up code, without reading the table', async () => {
    const code = codes.codeOf(PAID);
    const before = reads;
    expect((await call(handler, verify(code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A')))).status).toBe(404);
    expect((await call(handler, verify(`${PENDING}.${code.split('.')[1]}`))).status).toBe(404);
    expect(reads).toBe(before);
    expect((await call(handler, verify('not a code'))).status).toBe(400);
  });

  it('is a 404 for a genuine code of a payment that has not succeeded', async () => {
    expect((await call(handler, verify(codes.codeOf(PENDING)))).status).toBe(404);
  });
});

describe('Accept negotiation', () => {
  it('takes the best q-value, then the client\'s order; JSON when none is named', () => {
    expect(negotiate(undefined)).toBe('json');
    expect(negotiate('*/*')).toBe('json');
    expect(negotiate('application/pdf')).toBe('pdf');
    expect(negotiate('text/html;q=0.5, application/pdf;q=0.9')).toBe('pdf');
    expect(negotiate('text/*, application/json;q=0.1')).toBe('html');
    expect(negotiate('application/pdf;q=0, */*;q=0.1')).toBe('json');
    expect(negotiate('image/png')).toBe('json');
  });
});
