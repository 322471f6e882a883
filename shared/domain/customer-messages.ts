import * as z from 'zod';
import { Money } from './money';
import { lazySchema } from './lazy-schema';

// What the customer is told by e-mail, and in which words. Staff departments hear of
// events through notifications.ts; the customer hears of a few: the parcel left (with
// its tracking number), the order arrived, money came back. Pure: the worker reads the
// order's contact and sends what this renders.

export const CUSTOMER_MESSAGE_LANGUAGES = ['en', 'zh-Hant', 'zh-Hans'] as const;
export const MessageLanguage = z.enum(CUSTOMER_MESSAGE_LANGUAGES);
export type MessageLanguage = z.infer<typeof MessageLanguage>;

/** Languages of a message whose order names none: English with Traditional Chinese below it. */
export const DEFAULT_MESSAGE_LANGUAGES: readonly MessageLanguage[] = ['en', 'zh-Hant'];

/** The facts each message needs from its event (all present in the event: it carries no personal data). */
export const CustomerMessageEvent = lazySchema(() =>
  z.discriminatedUnion('detailType', [
    z.object({
      detailType: z.literal('ShipmentCreated'),
      data: z.object({ orderId: z.string(), orderNumber: z.string(), carrier: z.string(), trackingNumber: z.string() }),
    }),
    z.object({ detailType: z.literal('OrderDelivered'), data: z.object({ orderId: z.string(), orderNumber: z.string() }) }),
    z.object({ detailType: z.literal('RefundIssued'), data: z.object({ orderId: z.string(), orderNumber: z.string(), amount: Money }) }),
  ]),
);
export type CustomerMessageEvent = z.infer<typeof CustomerMessageEvent>;

/** The detail-types that become a customer message: what the bus rule to the worker matches. */
export const CUSTOMER_MESSAGE_EVENTS = ['ShipmentCreated', 'OrderDelivered', 'RefundIssued'] as const satisfies readonly CustomerMessageEvent['detailType'][];

/** Who the message goes to, read from the order by its id. */
export interface CustomerContact {
  email?: string;
  name?: string;
  language?: MessageLanguage;
}

export interface CustomerMessage {
  to: string;
  subject: string;
  text: string;
  languages: readonly MessageLanguage[];
}

export interface RenderOptions {
  /** Base URL of the public tracking route (`<base>/tracking/<number>`), without a trailing slash. */
  trackingBaseUrl: string;
}

/** "1999 CNY" (minor units) -> "CNY 19.99", with the currency's own number of decimals. */
export function formatAmount(m: Money, language: MessageLanguage): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: m.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(language, { style: 'currency', currency: m.currency, currencyDisplay: 'code' }).format(m.amount / 10 ** digits);
}

interface Words {
  subject: string;
  body: string;
}

type Kind = CustomerMessageEvent['detailType'];
type Renderer<K extends Kind> = (e: Extract<CustomerMessageEvent, { detailType: K }>, lang: MessageLanguage, greet: string, opts: RenderOptions) => Words;

const trackingUrl = (base: string, trackingNumber: string) => `${base.replace(/\/+$/, '')}/tracking/${encodeURIComponent(trackingNumber)}`;

const GREETING: Record<MessageLanguage, (name?: string) => string> = {
  en: (name) => (name ? `Hello ${name},` : 'Hello,'),
  'zh-Hant': (name) => (name ? `${name} 您好：` : '您好：'),
  'zh-Hans': (name) => (name ? `${name} 您好：` : '您好：'),
};

const WORDS: { [K in Kind]: Renderer<K> } = {
  ShipmentCreated: (e, lang, greet, opts) => {
    const { orderNumber: n, carrier, trackingNumber: t } = e.data;
    const url = trackingUrl(opts.trackingBaseUrl, t);
    return {
      en: { subject: `Your order ${n} has shipped`, body: `${greet}\n\nYour order ${n} has shipped with ${carrier}, tracking number ${t}.\nFollow it at ${url}` },
      'zh-Hant': { subject: `您的訂單 ${n} 已出貨`, body: `${greet}\n\n您的訂單 ${n} 已交由 ${carrier} 寄出，追蹤編號 ${t}。\n查詢物流：${url}` },
      'zh-Hans': { subject: `您的订单 ${n} 已发货`, body: `${greet}\n\n您的订单 ${n} 已交由 ${carrier} 发出，运单号 ${t}。\n查询物流：${url}` },
    }[lang];
  },
  OrderDelivered: (e, lang, greet) => {
    const n = e.data.orderNumber;
    return {
      en: { subject: `Your order ${n} has been delivered`, body: `${greet}\n\nYour order ${n} has been delivered. Thank you for shopping with us.` },
      'zh-Hant': { subject: `您的訂單 ${n} 已送達`, body: `${greet}\n\n您的訂單 ${n} 已送達，感謝您的惠顧。` },
      'zh-Hans': { subject: `您的订单 ${n} 已送达`, body: `${greet}\n\n您的订单 ${n} 已送达，感谢您的惠顾。` },
    }[lang];
  },
  RefundIssued: (e, lang, greet) => {
    const n = e.data.orderNumber;
    const a = formatAmount(e.data.amount, lang);
    return {
      en: { subject: `Refund for your order ${n}`, body: `${greet}\n\nWe have refunded ${a} for your order ${n}. It may take a few days to reach your account.` },
      'zh-Hant': { subject: `您的訂單 ${n} 已退款`, body: `${greet}\n\n我們已為您的訂單 ${n} 退款 ${a}，款項可能需要數個工作天才會入帳。` },
      'zh-Hans': { subject: `您的订单 ${n} 已退款`, body: `${greet}\n\n我们已为您的订单 ${n} 退款 ${a}，款项可能需要几个工作日才会到账。` },
    }[lang];
  },
};

/**
 * The e-mail a customer receives for an event, in the order's language (or English and
 * Traditional Chinese side by side when it has none); undefined when the order has no
 * e-mail address to write to.
 */
export function customerMessage(event: CustomerMessageEvent, contact: CustomerContact, opts: RenderOptions): CustomerMessage | undefined {
  const to = contact.email?.trim();
  if (!to) return undefined;
  const languages = contact.language ? [contact.language] : DEFAULT_MESSAGE_LANGUAGES;
  const render = WORDS[event.detailType] as Renderer<Kind>;
  const parts = languages.map((lang) => render(event, lang, GREETING[lang](contact.name), opts));
  return {
    to,
    subject: parts.map((p) => p.subject).join(' / '),
    text: parts.map((p) => p.body).join('\n\n----------\n\n') + '\n',
    languages,
  };
}
