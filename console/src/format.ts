import { lang } from './i18n';
import { store } from './store';

// Dates in the business time zone (the workflow settings' timeZone; the stage default
// until they are read) and money per currency, in the current language.

export const timeZone = store<string>(OMS_DEFAULT_TIME_ZONE);

const locale = () => (lang.get() === 'zh-Hant' ? 'zh-Hant-TW' : 'en-GB');

export function dateTime(iso: string | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short', timeZone: timeZone.get(), hourCycle: 'h23' }).format(new Date(iso));
}

export function date(iso: string | undefined): string {
  if (!iso) return '';
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: timeZone.get() }).format(new Date(iso));
}

export function time(at: Date): string {
  return new Intl.DateTimeFormat(locale(), { timeStyle: 'medium', timeZone: timeZone.get(), hourCycle: 'h23' }).format(at);
}

export interface MoneyValue {
  amount: number;
  currency: string;
}

/** Minor units per major unit of a currency (CNY 2, JPY 0, KWD 3), as Intl knows it. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function money(m: MoneyValue | undefined): string {
  if (!m) return '';
  const digits = minorDigits(m.currency);
  return new Intl.NumberFormat(locale(), { style: 'currency', currency: m.currency, minimumFractionDigits: digits }).format(m.amount / 10 ** digits);
}

/** "12.50" in a currency -> 1250 minor units; undefined when it is not an amount. */
export function parseAmount(text: string, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const m = new RegExp(`^\\s*(\\d+)(?:[.,](\\d{0,${digits}}))?\\s*$`).exec(text);
  if (!m) return undefined;
  return Number(m[1]) * 10 ** digits + Number((m[2] ?? '').padEnd(digits, '0') || 0);
}
