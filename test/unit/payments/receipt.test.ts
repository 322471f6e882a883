import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../infra/constructs/oms-function';
import { formatMoney, formatTime, receiptCodes, receiptJson, receiptVerification, type ReceiptSource } from '../../../shared/payments/receipt';
import { receiptHtml } from '../../../shared/payments/receipt-html';
import { RECEIPT_FONT_FILES, receiptPdf, type ReceiptFonts } from '../../../shared/payments/receipt-pdf';

const codes = receiptCodes('unit-tests-receipt-secret-0123456789abcdef');

const source = (over: { customerName?: string; providerRef?: string } = {}): ReceiptSource => ({
  order: { orderId: '01KB0RDER00000000000000000', orderNumber: 'WEB-20261130-000042', customerName: over.customerName ?? '陳大文' },
  payment: {
    paymentId: '01KBPAYMENT000000000000000',
    method: 'bank_transfer',
    provider: 'manual',
    providerRef: over.providerRef ?? 'BANK-REF-8812',
    amount: { amount: 123450, currency: 'CNY' },
    succeededAt: '2026-11-30T10:05:09.000Z',
  },
});
const receiptOf = (s: ReceiptSource, timeZone?: string) =>
  receiptJson(s, { verificationCode: codes.codeOf(s.payment.paymentId), ...(timeZone ? { timeZone } : {}) });

const fonts: ReceiptFonts = {
  traditional: readFileSync(join(REPO_ROOT, 'node_modules', RECEIPT_FONT_FILES.traditional.source)),
  simplified: readFileSync(join(REPO_ROOT, 'node_modules', RECEIPT_FONT_FILES.simplified.source)),
};

describe('receipt JSON', () => {
  it('states order number, payer, method, provider, transaction id, amount, paid time and the code', () => {
    const receipt = receiptOf(source());
    expect(receipt).toMatchObject({
      title: '支付憑證',
      orderNumber: 'WEB-20261130-000042',
      payer: '陳大文',
      method: 'bank_transfer',
      provider: 'manual',
      providerRef: 'BANK-REF-8812',
      amount: { amount: 123450, currency: 'CNY' },
      amountText: 'CN¥1,234.50',
      paidAt: '2026-11-30T10:05:09.000Z',
      paidAtLocal: '2026-11-30 18:05:09 (UTC+08:00 Asia/Shanghai)',
      timeZone: 'Asia/Shanghai',
    });
    expect(codes.paymentIdOf(receipt.verificationCode)).toBe('01KBPAYMENT000000000000000');
  });

  it('shows the paid time in the business time zone it is given', () => {
    expect(receiptOf(source(), 'Asia/Taipei').paidAtLocal).toBe('2026-11-30 18:05:09 (UTC+08:00 Asia/Taipei)');
    expect(formatTime('2026-07-01T00:30:00Z', 'Europe/London')).toBe('2026-07-01 01:30:00 (UTC+01:00 Europe/London)');
    expect(formatTime('2026-01-01T00:30:00Z', 'UTC')).toBe('2026-01-01 00:30:00 (UTC+00:00 UTC)');
  });

  it('formats amounts per currency from minor units', () => {
    expect(formatMoney({ amount: 123450, currency: 'CNY' })).toBe('CN¥1,234.50');
    expect(formatMoney({ amount: 120000, currency: 'TWD' })).toBe('NT$1,200.00');
    expect(formatMoney({ amount: 5, currency: 'USD' })).toBe('$0.05');
    expect(formatMoney({ amount: 500, currency: 'JPY' })).toBe('¥500');
    expect(formatMoney({ amount: 9007199254740991, currency: 'CNY' })).toBe('CN¥90,071,992,547,409.91');
  });

  it('verification answer carries no personal data', () => {
    const check = receiptVerification(receiptOf(source({ customerName: '王小明' })));
    expect(check).toEqual({
      valid: true,
      orderNumber: 'WEB-20261130-000042',
      amount: { amount: 123450, currency: 'CNY' },
      amountText: 'CN¥1,234.50',
      method: 'bank_transfer',
      paidAt: '2026-11-30T10:05:09.000Z',
      paidAtLocal: '2026-11-30 18:05:09 (UTC+08:00 Asia/Shanghai)',
    });
    expect(JSON.stringify(check)).not.toContain('王小明');
  });
});

describe('verification codes', () => {
  const code = codes.codeOf('01KBPAYMENT000000000000000');

  it('name the payment they were issued for', () => {
    expect(code).toMatch(/^01KBPAYMENT000000000000000\.[\w-]{20}$/);
    expect(codes.paymentIdOf(code)).toBe('01KBPAYMENT000000000000000');
  });

  it('are refused when altered, made up, or issued under another secret', () => {
    const last = code.at(-1) === 'A' ? 'B' : 'A';
    expect(codes.paymentIdOf(code.slice(0, -1) + last)).toBeUndefined();
    expect(codes.paymentIdOf(code.replace('01KBPAYMENT', '01KBPAYMENU'))).toBeUndefined();
    expect(codes.paymentIdOf('01KBPAYMENT000000000000000')).toBeUndefined();
    expect(codes.paymentIdOf('')).toBeUndefined();
    expect(receiptCodes('another-stage-receipt-secret-0123456789ab').paymentIdOf(code)).toBeUndefined();
  });
});

describe('receipt HTML', () => {
  it('is a printable page with every field, escaping text from outside', () => {
    const html = receiptHtml(receiptOf(source({ customerName: '<script>alert(1)</script> & "張"', providerRef: "x' onload='y" })));
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<html lang="zh-Hant">');
    expect(html).toContain('@media print');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;張&quot;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('x&#39; onload=&#39;y');
    for (const text of ['支付憑證', 'WEB-20261130-000042', '銀行轉帳', 'CN¥1,234.50', '2026-11-30 18:05:09', codes.codeOf('01KBPAYMENT000000000000000')]) {
      expect(html).toContain(text);
    }
  });
});

describe('receipt PDF', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oms-receipt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const poppler = (tool: string, args: string[]) => {
    try {
      return execFileSync(tool, args, { encoding: 'utf8' });
    } catch (err) {
      throw new Error(`${tool} (poppler-utils) failed or is not installed: ${(err as Error).message}`, { cause: err });
    }
  };

  const receipt = receiptOf(source({ customerName: '陳大文（张伟）' }));
  const pdf = receiptPdf(receipt, fonts, { verifyUrl: `https://api.example.com/receipts/${receipt.verificationCode}` });
  const file = join(dir, 'receipt.pdf');
  writeFileSync(file, pdf);

  it('is one A4 page with both Chinese faces embedded as subsets, and small', () => {
    const info = poppler('pdfinfo', [file]);
    expect(info).toMatch(/Pages:\s+1\n/);
    expect(info).toMatch(/Page size:\s+595\.28 x 841\.89 pts \(A4\)/);
    expect(info).toContain('支付憑證 WEB-20261130-000042');
    const faces = poppler('pdffonts', [file]);
    expect(faces).toMatch(/[A-Z]{6}\+NotoSansTC-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(faces).toMatch(/[A-Z]{6}\+NotoSansSC-Regular\s+CID TrueType\s+Identity-H\s+yes yes yes/);
    expect(pdf.length).toBeLessThan(40_000);
  });

  it('holds every field as text in Traditional and Simplified Chinese (glyphs present, mapped back to Unicode)', () => {
    const text = poppler('pdftotext', ['-layout', file, '-']);
    for (const expected of [
      '支付憑證', '訂單編號', 'WEB-20261130-000042', '陳大文（张伟）', '銀行轉帳 Bank transfer', '人工確認 Manual', 'BANK-REF-8812',
      'CN¥1,234.50', '2026-11-30 18:05:09 (UTC+08:00 Asia/Shanghai)', receipt.verificationCode, '驗證碼',
    ]) {
      expect(text).toContain(expected);
    }
  });

  it('renders its first page (pdftoppm -png -r 80 -f 1 -l 1) as a 662 x 936 image', () => {
    poppler('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', file, join(dir, 'page')]);
    const png = readFileSync(join(dir, 'page-1.png'));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([662, 936]);
  });

  it('is the same bytes for the same receipt', () => {
    expect(receiptPdf(receipt, fonts, { verifyUrl: `https://api.example.com/receipts/${receipt.verificationCode}` }).equals(pdf)).toBe(true);
  });
});
