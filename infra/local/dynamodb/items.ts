import type { AttributeValue, Item } from './dynalite';

// DynamoDB compares sets without regard to order, and map attributes without regard to key order.
function sameValue(a: unknown, b: unknown, set = false): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    if (set) {
      const members = new Set(a as unknown[]);
      return (b as unknown[]).every((m) => members.has(m));
    }
    return a.every((v, i) => sameValue(v, b[i]));
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], k === 'SS' || k === 'NS' || k === 'BS'));
}

/** Whether two stored items (either may be absent) hold the same attributes and values. */
export function sameItem(a: Item | undefined, b: Item | undefined): boolean {
  if (!a || !b) return a === b;
  return sameValue(a, b);
}

export const attributeNumber = (value: AttributeValue | undefined): number | undefined =>
  value && typeof value.N === 'string' ? Number(value.N) : undefined;
