// Which look-ups a search text fits: an order number's shape, an e-mail, a phone number,
// a tracking number, a payment reference (the shapes shared/api/schemas.ts OrderListQuery
// accepts), so the search asks only the API questions that can match.

export const KINDS = ['any', 'number', 'email', 'phone', 'tracking', 'payment'] as const;
export type Kind = (typeof KINDS)[number];

// The shapes the API accepts for each look-up (shared/api/schemas.ts OrderListQuery).
const ORDER_NUMBER = /^[WAPEMS]\d{8}-\d{4,}$/i;
const PHONE = /^\+?[0-9 ().-]{4,40}$/;
const TRACKING = /^[A-Za-z0-9-]{1,100}$/;
const PAYMENT_REF = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The look-ups a text fits, in the order they are tried ("any": only those whose shape it has). */
export function lookupsFor(q: string, kind: Kind): Exclude<Kind, 'any'>[] {
  if (kind !== 'any') return [kind];
  if (ORDER_NUMBER.test(q)) return ['number'];
  if (q.includes('@')) return ['email'];
  const fits: Exclude<Kind, 'any'>[] = [];
  if (PHONE.test(q) && q.replace(/\D/g, '').length >= 4) fits.push('phone');
  if (TRACKING.test(q)) fits.push('tracking');
  if (PAYMENT_REF.test(q)) fits.push('payment');
  return fits;
}

