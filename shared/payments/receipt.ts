import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { Money } from '../domain/money';
import { PaymentMethod, Provider } from './port';

// The payment voucher (支付憑證) of one succeeded payment: what it says, built from a
// small input of its own (ReceiptSource) so it does not depend on how payments are
// stored, and rendered as JSON, HTML (receipt-html.ts) or PDF (receipt-pdf.ts).

export const ReceiptSource = z.object({
  order: z.object({
    orderId: z.string().min(1),
    orderNumber: z.string().min(1),
    customerName: z.string(),
  }),
  payment: z.object({
    paymentId: z.string().min(1),
    method: PaymentMethod,
    provider: Provider,
    /** the provider's transaction id (Stripe PaymentIntent, Alipay trade_no, WeChat transaction_id, bank reference) */
    providerRef: z.string().optional(),
    amount: Money,
    succeededAt: z.iso.datetime({ offset: true }),
  }),
});
export type ReceiptSource = z.infer<typeof ReceiptSource>;

/** Time zone of the business when the workflow settings name none. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export interface ReceiptOptions {
  verificationCode: string;
  /** IANA time zone the paid time is shown in */
  timeZone?: string;
}

/** The voucher as the JSON answer gives it; HTML and PDF show the same fields. */
export const Receipt = z.object({
  title: z.string(),
  orderId: z.string(),
  orderNumber: z.string(),
  payer: z.string(),
  paymentId: z.string(),
  method: PaymentMethod,
  methodName: z.string(),
  provider: Provider,
  providerName: z.string(),
  providerRef: z.string().nullable(),
  amount: Money,
  amountText: z.string(),
  paidAt: z.string(),
  paidAtLocal: z.string(),
  timeZone: z.string(),
  verificationCode: z.string(),
});
export type Receipt = z.infer<typeof Receipt>;

export const RECEIPT_TITLE = '支付憑證';

export const METHOD_NAMES: Record<PaymentMethod, string> = {
  card: '信用卡 Card',
  alipay: '支付寶 Alipay',
  wechatpay: '微信支付 WeChat Pay',
  bank_transfer: '銀行轉帳 Bank transfer',
  cod: '貨到付款 Cash on delivery',
};

export const PROVIDER_NAMES: Record<Provider, string> = {
  stripe: 'Stripe',
  alipay: '支付寶 Alipay',
  wechatpay: '微信支付 WeChat Pay',
  manual: '人工確認 Manual',
};

/** An amount in minor units as people write it for its currency: CN¥1,234.50, NT$1,200.00, ¥500 (JPY). */
export function formatMoney({ amount, currency }: Money): string {
  const format = new Intl.NumberFormat('en', { style: 'currency', currency, currencyDisplay: 'symbol' });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const whole = BigInt(amount) / 10n ** BigInt(digits);
  const fraction = (BigInt(amount) % 10n ** BigInt(digits)).toString().padStart(digits, '0');
  // The integer part is formatted from a BigInt and the minor units appended, so no float is ever involved.
  const parts = format.formatToParts(whole);
  return parts
    .map((p) => (p.type === 'fraction' ? fraction : p.type === 'decimal' && digits === 0 ? '' : p.value))
    .join('')
    .replace(/\u00a0/g, ' ');
}

/** `2026-03-01 14:05:09 (UTC+08:00 Asia/Shanghai)`: an instant as the clock on the business's wall showed it. */
export function formatTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    hourCycle: 'h23', timeZoneName: 'longOffset',
  }).formatToParts(new Date(iso));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const offset = part('timeZoneName').replace(/^GMT$/, 'GMT+00:00').replace('GMT', 'UTC');
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}:${part('second')} (${offset} ${timeZone})`;
}

/** The voucher's fields, for the JSON answer and both renderers. */
export function receiptJson(source: ReceiptSource, options: ReceiptOptions): Receipt {
  const { order, payment } = source;
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  return {
    title: RECEIPT_TITLE,
    orderId: order.orderId,
    orderNumber: order.orderNumber,
    payer: order.customerName,
    paymentId: payment.paymentId,
    method: payment.method,
    methodName: METHOD_NAMES[payment.method],
    provider: payment.provider,
    providerName: PROVIDER_NAMES[payment.provider],
    providerRef: payment.providerRef ?? null,
    amount: payment.amount,
    amountText: formatMoney(payment.amount),
    paidAt: new Date(payment.succeededAt).toISOString(),
    paidAtLocal: formatTime(payment.succeededAt, timeZone),
    timeZone,
    verificationCode: options.verificationCode,
  };
}

/** What `GET /receipts/{code}` tells anyone holding the code: no name, e-mail, phone or address. */
export const ReceiptVerification = z.object({
  valid: z.literal(true),
  orderNumber: z.string(),
  amount: Money,
  amountText: z.string(),
  method: PaymentMethod,
  paidAt: z.string(),
  paidAtLocal: z.string(),
});
export type ReceiptVerification = z.infer<typeof ReceiptVerification>;

export function receiptVerification(receipt: Receipt): ReceiptVerification {
  const { orderNumber, amount, amountText, method, paidAt, paidAtLocal } = receipt;
  return { valid: true, orderNumber, amount, amountText, method, paidAt, paidAtLocal };
}

// Verification codes: `<paymentId>.<mac>`, the mac being HMAC-SHA256 under the stage's
// receipt secret of a version tag and the payment id, cut to 120 bits (base64url, 20
// characters). So a code needs no table of its own and no write when a payment succeeds:
// the public lookup checks the mac first (a made-up or altered code costs no read and is
// a 404), then reads the payment it names. 120 bits cannot be guessed; the payment id in
// the clear is no secret (the payer already holds it).
const CODE_VERSION = 'oms-receipt-v1';
const MAC_BYTES = 15;

export interface ReceiptCodes {
  codeOf(paymentId: string): string;
  /** The payment a code was issued for, or undefined for a code this stage did not issue. */
  paymentIdOf(code: string): string | undefined;
}

export function receiptCodes(secret: string): ReceiptCodes {
  if (secret.length < 32) throw new Error('the receipt secret must be at least 32 characters');
  const mac = (paymentId: string) =>
    createHmac('sha256', secret).update(`${CODE_VERSION}\n${paymentId}`).digest().subarray(0, MAC_BYTES);
  return {
    codeOf: (paymentId) => `${paymentId}.${mac(paymentId).toString('base64url')}`,
    paymentIdOf(code) {
      const match = /^([0-9A-Za-z_-]{1,64})\.([0-9A-Za-z_-]{20})$/.exec(code);
      if (!match) return undefined;
      const [, paymentId, signature] = match as unknown as [string, string, string];
      const given = Buffer.from(signature, 'base64url');
      const expected = mac(paymentId);
      return given.length === expected.length && timingSafeEqual(given, expected) ? paymentId : undefined;
    },
  };
}

/** The voucher's rows, labelled in Traditional Chinese and English, as HTML and PDF show them. */
export function receiptLines(receipt: Receipt): { label: string; value: string; emphasis?: boolean; small?: boolean }[] {
  return [
    { label: '訂單編號 Order number', value: receipt.orderNumber },
    { label: '付款人 Payer', value: receipt.payer },
    { label: '付款方式 Method', value: receipt.methodName },
    { label: '支付機構 Provider', value: receipt.providerName },
    { label: '交易編號 Transaction ID', value: receipt.providerRef ?? '—' },
    { label: '金額 Amount', value: receipt.amountText, emphasis: true },
    { label: '付款時間 Paid at', value: receipt.paidAtLocal },
    { label: '驗證碼 Verification code', value: receipt.verificationCode, small: true },
  ];
}
