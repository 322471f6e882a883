import type { AttributeValue, Item } from './dynalite';

// DynamoDB compares sets without regard to order, and map attributes without regard to key order.
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(
    entries.map(([k, v]) => [k, (k === 'SS' || k === 'NS' || k === 'BS') && Array.isArray(v) ? [...v].sort() : canonical(v)]),
  );
}

/** Whether two stored items (either may be absent) hold the same attributes and values. */
export function sameItem(a: Item | undefined, b: Item | undefined): boolean {
  if (!a || !b) return a === b;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

export const attributeNumber = (value: AttributeValue | undefined): number | undefined =>
  value && typeof value.N === 'string' ? Number(value.N) : undefined;
