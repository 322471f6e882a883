import { RECEIPTS_ROUTES as ROUTES } from '../../shared/api/routes/receipts';
import { routeKey } from '../../shared/api/routes/common';
import { NotFoundError } from '../../shared/domain/errors';
import type { Money } from '../../shared/domain/money';
import { hasRole } from '../../shared/middleware/auth';
import { http, ok, router, type HttpEvent, type HttpHandler, type Reply } from '../../shared/middleware/http';
import type { PaymentMethod, Provider } from '../../shared/payments/port';
import { receiptJson, receiptVerification, type ReceiptCodes, type ReceiptSource } from '../../shared/payments/receipt';
import { receiptHtml } from '../../shared/payments/receipt-html';
import { receiptPdf, type ReceiptFonts } from '../../shared/payments/receipt-pdf';
import type { OrderRepository } from '../../shared/store/order-repository';

/** What a voucher needs of a stored payment attempt (the fields of the payment store's records). */
export interface StoredPayment {
  paymentId: string;
  method: PaymentMethod;
  provider: Provider;
  amount: Money;
  status: string;
  providerRef?: string;
  /** bank reference quoted by finance when confirming a transfer */
  reference?: string;
  settledAt?: string;
  updatedAt: string;
}

/** Reads of payments, as the payment store offers them. */
export interface ReceiptPayments {
  /** the order a payment belongs to */
  orderOf(paymentId: string): Promise<string | undefined>;
  /** an order's payment attempts */
  money(orderId: string): Promise<{ payments: readonly StoredPayment[] }>;
}

export interface ReceiptsDeps {
  orders: Pick<OrderRepository, 'get'>;
  payments: ReceiptPayments;
  codes: ReceiptCodes;
  /** the business time zone of the workflow settings */
  timeZone: () => Promise<string>;
  /** the voucher's faces, read when the first PDF is asked for */
  fonts: () => ReceiptFonts;
}

type Format = 'json' | 'html' | 'pdf';
const OFFERED: readonly [Format, string][] = [['json', 'application/json'], ['html', 'text/html'], ['pdf', 'application/pdf']];

/**
 * The type to answer with, by the Accept header's q-values (RFC 9110, 12.5.1): the most
 * specific range naming a type gives its q; the best q wins, ties go to the order the
 * client listed them in. JSON when Accept names none of them (or is absent).
 */
export function negotiate(accept: string | undefined): Format {
  if (!accept) return 'json';
  const ranges = accept.split(',').map((part, index) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { type, q: q ? Number(q.slice(2)) : 1, index };
  });
  let best: { format: Format; q: number; index: number } | undefined;
  for (const [format, type] of OFFERED) {
    const range =
      ranges.find((r) => r.type === type) ?? ranges.find((r) => r.type === `${type.split('/')[0]}/*`) ?? ranges.find((r) => r.type === '*/*');
    if (!range || !(range.q > 0)) continue;
    if (!best || range.q > best.q || (range.q === best.q && range.index < best.index)) best = { format, q: range.q, index: range.index };
  }
  return best?.format ?? 'json';
}

/** The public URL of a code's check, from the request's own host and stage path. */
function verifyUrl(event: HttpEvent, code: string): string | undefined {
  const host = event.headers?.host ?? event.requestContext?.domainName;
  if (!host) return undefined;
  const proto = event.headers?.['x-forwarded-proto']?.split(',')[0]?.trim() ?? 'https';
  const stage = event.requestContext?.stage && event.requestContext.stage !== '$default' ? `/${event.requestContext.stage}` : '';
  return `${proto}://${host}${stage}/receipts/${code}`;
}

export function makeHandler(deps: ReceiptsDeps): HttpHandler {
  /** The voucher's input, when the payment exists in that order and has succeeded. */
  async function sourceOf(orderId: string, paymentId: string) {
    const [order, money] = await Promise.all([deps.orders.get(orderId), deps.payments.money(orderId)]);
    const payment = money.payments.find((p) => p.paymentId === paymentId);
    if (!order || !payment || payment.status !== 'SUCCEEDED') return undefined;
    const source: ReceiptSource = {
      order: { orderId: order.orderId, orderNumber: order.orderNumber, customerName: order.customer.name },
      payment: {
        paymentId,
        method: payment.method,
        provider: payment.provider,
        ...((payment.providerRef ?? payment.reference) ? { providerRef: payment.providerRef ?? payment.reference } : {}),
        amount: payment.amount,
        succeededAt: payment.settledAt ?? payment.updatedAt,
      },
    };
    return { order, source };
  }

  const receipt = http(ROUTES.getPaymentReceipt, async ({ params, auth, event }): Promise<Reply> => {
    const found = await sourceOf(params.orderId, params.paymentId);
    // Staff see every voucher; a storefront client only those of orders it placed (others look absent).
    if (!found || (!hasRole(auth, ['cs', 'finance', 'admin']) && found.order.placedBy !== auth.principal)) {
      throw new NotFoundError(`No succeeded payment ${params.paymentId} in order ${params.orderId}`);
    }
    const code = deps.codes.codeOf(params.paymentId);
    const voucher = receiptJson(found.source, { verificationCode: code, timeZone: await deps.timeZone() });
    const headers = { vary: 'Accept' };
    const url = verifyUrl(event, code);
    switch (negotiate(event.headers?.accept)) {
      case 'html':
        return {
          statusCode: 200,
          // the page needs nothing but its own inline styles
          headers: { ...headers, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" },
          raw: { contentType: 'text/html; charset=utf-8', data: receiptHtml(voucher, { verifyUrl: url }) },
        };
      case 'pdf':
        return {
          statusCode: 200,
          headers: { ...headers, 'content-disposition': `inline; filename="receipt-${voucher.orderNumber}.pdf"` },
          raw: { contentType: 'application/pdf', data: receiptPdf(voucher, deps.fonts(), { verifyUrl: url }) },
        };
      default:
        return { ...ok(voucher), headers };
    }
  });

  const verify = http(ROUTES.verifyReceipt, async ({ params }) => {
    // The mac is checked before any read: a made-up code costs nothing.
    const paymentId = deps.codes.paymentIdOf(params.verificationCode);
    const orderId = paymentId && (await deps.payments.orderOf(paymentId));
    const found = orderId && paymentId ? await sourceOf(orderId, paymentId) : undefined;
    if (!found) throw new NotFoundError('No voucher has this verification code');
    const voucher = receiptJson(found.source, { verificationCode: params.verificationCode, timeZone: await deps.timeZone() });
    return ok(receiptVerification(voucher));
  });

  return router({ [routeKey(ROUTES.getPaymentReceipt)]: receipt, [routeKey(ROUTES.verifyReceipt)]: verify });
}
