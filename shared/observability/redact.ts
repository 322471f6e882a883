// Personal data never reaches a log line. Two nets, both applied to every line:
// keys that hold personal data (at any depth) lose their whole value, and strings
// anywhere (messages, error texts, values under innocent keys) lose what looks like
// an e-mail address or a phone number. Keys are compared without case, '_' or '-'.

export const REDACTED = '[redacted]';

/** Keys whose values are personal data: names, contact details, postal addresses. */
const PERSONAL_KEYS = new Set([
  'name', 'fullname', 'firstname', 'lastname', 'givenname', 'familyname', 'customername', 'recipient', 'contactname',
  'email', 'emailaddress', 'phone', 'phonenumber', 'mobile', 'tel',
  'address', 'shippingaddress', 'billingaddress', 'line1', 'line2', 'street', 'city', 'region', 'postalcode', 'zip',
]);

const normalize = (key: string) => key.toLowerCase().replace(/[-_]/g, '');

export const isPersonalKey = (key: string): boolean => PERSONAL_KEYS.has(normalize(key));

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+/gu;
// International numbers (+86 138 0013 8000, +1 (415) 555-0100) and mainland mobile numbers
// (11 digits from 13x to 19x). Bare digit runs otherwise stay: ids, amounts and epoch times are digits too.
const PHONE = /\+\d[\d\s().-]{5,}\d|(?<!\d)1[3-9]\d{9}(?!\d)/g;

// A JSON member inside a text (an error that quotes the item it failed on): `"name":"Li Wei"`.
const JSON_MEMBER = /"([\w-]+)"(\s*:\s*)"(?:[^"\\]|\\.)*"/g;

export function redactText(text: string): string {
  return text
    .replace(JSON_MEMBER, (member, key: string, colon: string) => (isPersonalKey(key) ? `"${key}"${colon}"${REDACTED}"` : member))
    .replace(EMAIL, '[email]')
    .replace(PHONE, '[phone]');
}

type ErrorShape = (error: Error) => Record<string, unknown>;

const plainError: ErrorShape = ({ name, message, stack, cause, ...rest }) => ({ name, message, stack, cause, ...rest });

/**
 * A copy of `value` without personal data (cycles cut). Errors become plain objects
 * (shaped by `errorShape`) whose `name` is the error class, kept as it is.
 */
export function redact(value: unknown, errorShape: ErrorShape = plainError, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, errorShape, seen));
  const isError = value instanceof Error;
  const source = isError ? errorShape(value) : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(source)) {
    if (isError && key === 'name') out[key] = v;
    else out[key] = isPersonalKey(key) && v !== undefined && v !== null ? REDACTED : redact(v, errorShape, seen);
  }
  return out;
}
