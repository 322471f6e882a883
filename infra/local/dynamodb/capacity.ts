// Consumed capacity for transactions, by DynamoDB's costing rules: a write costs 1 WCU per KB
// (rounded up) of the larger of the old and new item, a strongly consistent read 1 RCU per 4 KB;
// transactional requests cost double. Single-item operations keep dynalite's own figures, which
// follow the same rules. Capacity is reported, never throttled.
import type { Item } from './dynalite';
import { itemSize } from './dynalite';

const units = (item: Item | undefined, perBytes: number) => Math.max(1, Math.ceil((item ? itemSize(item) : 0) / perBytes));

export const transactWriteUnits = (oldItem: Item | undefined, newItem: Item | undefined) =>
  2 * Math.max(units(oldItem, 1024), units(newItem, 1024));

export const transactReadUnits = (item: Item | undefined) => 2 * units(item, 4096);

/** ConsumedCapacity list (one entry per table) for ReturnConsumedCapacity TOTAL or INDEXES. */
export function consumedCapacity(
  mode: unknown,
  kind: 'read' | 'write',
  perTable: Map<string, number>,
): Record<string, unknown>[] | undefined {
  if (mode !== 'TOTAL' && mode !== 'INDEXES') return undefined;
  const field = kind === 'read' ? 'ReadCapacityUnits' : 'WriteCapacityUnits';
  return [...perTable].map(([TableName, CapacityUnits]) => ({
    TableName,
    CapacityUnits,
    [field]: CapacityUnits,
    ...(mode === 'INDEXES' ? { Table: { CapacityUnits, [field]: CapacityUnits } } : {}),
  }));
}

export function addUnits(perTable: Map<string, number>, table: string, amount: number): void {
  perTable.set(table, (perTable.get(table) ?? 0) + amount);
}
