// Consumed capacity by DynamoDB's costing rules: a write costs 1 WCU per KB (rounded up) of the
// larger of the old and new item, a strongly consistent read 1 RCU per 4 KB (eventually consistent
// half of that); transactional requests cost double. dynalite computes the table's share of
// single-item operations; we add the transactions and the writes to secondary indexes, which
// dynalite leaves out. Capacity is reported, never throttled.
import type { Item, SecondaryIndex, TableDescription } from './dynalite';
import { itemSize } from './dynalite';
import { sameItem } from './items';
import type { Change } from './streams';

type Units = Record<string, number>;
export interface CapacityEntry {
  TableName: string;
  CapacityUnits: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  Table?: { CapacityUnits: number; ReadCapacityUnits?: number; WriteCapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits: number }>;
}

const units = (item: Item | undefined, perBytes: number) => Math.max(1, Math.ceil((item ? itemSize(item) : 0) / perBytes));
const writeUnits = (item: Item | undefined) => units(item, 1024);

export const transactWriteUnits = (oldItem: Item | undefined, newItem: Item | undefined) =>
  2 * Math.max(writeUnits(oldItem), writeUnits(newItem));

export const transactReadUnits = (item: Item | undefined) => 2 * units(item, 4096);

export const wantsCapacity = (mode: unknown): mode is 'TOTAL' | 'INDEXES' => mode === 'TOTAL' || mode === 'INDEXES';

/** ConsumedCapacity list (one entry per table) for a transaction. */
export function consumedCapacity(mode: unknown, kind: 'read' | 'write', perTable: Map<string, number>): CapacityEntry[] | undefined {
  if (!wantsCapacity(mode)) return undefined;
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

/** The index entry an item has in `index`, or undefined when it lacks the index's key attributes. */
function indexEntry(table: TableDescription, index: SecondaryIndex, item: Item | undefined): Item | undefined {
  if (!item || index.KeySchema.some((k) => item[k.AttributeName] === undefined)) return undefined;
  const projection = index.Projection?.ProjectionType ?? 'ALL';
  if (projection === 'ALL') return item;
  const kept = new Set([...table.KeySchema, ...index.KeySchema].map((k) => k.AttributeName));
  if (projection === 'INCLUDE') for (const name of index.Projection?.NonKeyAttributes ?? []) kept.add(name);
  return Object.fromEntries(Object.entries(item).filter(([name]) => kept.has(name)));
}

/**
 * Write units an item change costs in one index: a new or removed entry 1 write, a changed index
 * key 2 (delete + put), a changed projected attribute 1, nothing projected changed 0.
 */
function indexUnits(table: TableDescription, index: SecondaryIndex, change: Change): number {
  const before = indexEntry(table, index, change.oldItem);
  const after = indexEntry(table, index, change.newItem);
  if (!before || !after) return before || after ? writeUnits(before ?? after) : 0;
  const keyChanged = index.KeySchema.some((k) => !sameItem({ k: before[k.AttributeName]! }, { k: after[k.AttributeName]! }));
  if (keyChanged) return writeUnits(before) + writeUnits(after);
  return sameItem(before, after) ? 0 : Math.max(writeUnits(before), writeUnits(after));
}

/** Adds the secondary-index writes of `changes` (times `factor`) to the per-table entries. */
export function addIndexWrites(entries: CapacityEntry[], mode: unknown, changes: Change[], factor = 1): CapacityEntry[] {
  return entries.map((entry) => {
    const global: Units = {};
    const local: Units = {};
    for (const change of changes) {
      if (change.table.TableName !== entry.TableName) continue;
      for (const [indexes, into] of [[change.table.GlobalSecondaryIndexes, global], [change.table.LocalSecondaryIndexes, local]] as const)
        for (const index of indexes ?? []) {
          const n = factor * indexUnits(change.table, index, change);
          if (n > 0) into[index.IndexName] = (into[index.IndexName] ?? 0) + n;
        }
    }
    const extra = [...Object.values(global), ...Object.values(local)].reduce((a, b) => a + b, 0);
    const perIndex = (u: Units) => Object.fromEntries(Object.entries(u).map(([name, CapacityUnits]) => [name, { CapacityUnits }]));
    return {
      ...entry,
      CapacityUnits: entry.CapacityUnits + extra,
      ...(entry.WriteCapacityUnits !== undefined ? { WriteCapacityUnits: entry.WriteCapacityUnits + extra } : {}),
      ...(mode === 'INDEXES' && Object.keys(global).length > 0 ? { GlobalSecondaryIndexes: perIndex(global) } : {}),
      ...(mode === 'INDEXES' && Object.keys(local).length > 0 ? { LocalSecondaryIndexes: perIndex(local) } : {}),
    };
  });
}
