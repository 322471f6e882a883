import { BusinessRuleError } from './errors';

// Order numbers are read aloud over the phone, so they are short and unambiguous:
//   <channel letter><yyyymmdd>-<daily sequence, at least 4 digits>   e.g. W20261127-0042
// The sequence is one counter per (UTC) day shared by every channel, so the number
// stays unique even if the letter is misheard; past 9999 it simply grows a digit.
//
// Numbers are unique; they are not gap-free nor strictly in placement order. A container
// takes its numbers from a lease of the day's sequence (order-number-lease.ts: one number
// when quiet, up to 32 in a burst), so: a placement that fails after taking its number
// leaves a gap (as with one counter update per order); a container that ends with numbers
// of its lease left leaves a gap of at most one lease; at the UTC day's change the rest of
// a lease is dropped; and orders placed by two containers in the same second may be
// numbered out of placement order.

export const CHANNELS = ['web', 'app', 'phone', 'email', 'marketplace', 'store', 'exchange'] as const;
export type Channel = (typeof CHANNELS)[number];
/** The channels a caller places orders in; `exchange` orders are placed by the system for an exchange or a claim's reship. */
export const PLACED_CHANNELS = ['web', 'app', 'phone', 'email', 'marketplace', 'store'] as const satisfies readonly Channel[];

const LETTER: Record<Channel, string> = {
  web: 'W',
  app: 'A',
  phone: 'P',
  email: 'E',
  marketplace: 'M',
  store: 'S',
  exchange: 'X',
};
const CHANNEL_BY_LETTER = new Map(Object.entries(LETTER).map(([c, l]) => [l, c as Channel]));

export const ORDER_NUMBER_PATTERN = /^([WAPEMSX])(\d{4})(\d{2})(\d{2})-(\d{4,})$/;

/** The counter bucket an order placed at `at` belongs to: yyyymmdd in UTC. */
export function orderDay(at: Date): string {
  return at.toISOString().slice(0, 10).replaceAll('-', '');
}

export function formatOrderNumber(channel: Channel, at: Date, sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new BusinessRuleError('order sequence must be a positive integer', { sequence });
  }
  return `${LETTER[channel]}${orderDay(at)}-${String(sequence).padStart(4, '0')}`;
}

export interface ParsedOrderNumber {
  channel: Channel;
  day: string;
  sequence: number;
}

export function parseOrderNumber(value: string): ParsedOrderNumber | undefined {
  const m = ORDER_NUMBER_PATTERN.exec(value.trim().toUpperCase());
  if (!m) return undefined;
  const [, letter, y, mo, d, seq] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  return { channel: CHANNEL_BY_LETTER.get(letter!)!, day: `${y}${mo}${d}`, sequence: Number(seq) };
}
