// Time to live: UpdateTimeToLive / DescribeTimeToLive settings (kept in the LevelDB) and a sweeper
// that deletes expired items the way DynamoDB's TTL service does: a Number attribute holding epoch
// seconds in the past; the stream sees a REMOVE made by the service principal. Like DynamoDB, it
// ignores values more than five years in the past (likely milliseconds or a mistake).
// Each table with TTL enabled has an in-memory index of its items' expiry times, built by one
// scan when TTL is enabled (or the endpoint starts) and kept up to date by every committed
// write, so a sweep looks at the index instead of reading and decoding the whole table.
import { commit, type Context } from './context';
import type { Item, Store } from './dynalite';
import { getTable, itemKey, keyAttributes, readItem, run } from './dynalite';
import { resourceNotFound, validationError } from './errors';
import { attributeNumber } from './items';
import type { Change } from './streams';

const PREFIX = 'oms-ttl~';
const FIVE_YEARS_S = 5 * 365 * 24 * 3600;
export const TTL_PRINCIPAL = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

interface TtlSetting { tableName: string; attributeName: string; enabled: boolean }
/** Items of one table that carry the TTL attribute: by item key, their key attributes and expiry (epoch seconds). */
type Expiries = Map<string, { key: Item; at: number }>;

export class TtlSettings {
  private readonly settings = new Map<string, TtlSetting>();
  private readonly expiries = new Map<string, Expiries>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    for await (const [, value] of this.store.db.iterator({ gt: PREFIX, lt: `${PREFIX}\xff` })) {
      const s = value as TtlSetting;
      this.settings.set(s.tableName, s);
    }
    for (const s of this.enabled()) await this.index(s);
  }

  /** Reads the table once to learn its items' expiry times (on enabling TTL, or at start). */
  private async index(setting: TtlSetting): Promise<void> {
    const expiries: Expiries = new Map();
    this.expiries.set(setting.tableName, expiries);
    const table = await getTable(this.store, setting.tableName).catch(() => undefined);
    if (!table) return;
    for await (const value of this.store.getItemDb(table.TableName).createValueStream()) {
      const item = value as Item;
      const at = attributeNumber(item[setting.attributeName]);
      if (at !== undefined) expiries.set(itemKey(table, item), { key: keyAttributes(table, item), at });
    }
  }

  /** Keeps the expiry index in step with committed writes. */
  observe(changes: Change[]): void {
    for (const { table, oldItem, newItem } of changes) {
      const expiries = this.expiries.get(table.TableName);
      if (!expiries) continue;
      const setting = this.settings.get(table.TableName)!;
      const item = newItem ?? oldItem;
      // a Delete of an item that was not there changes nothing (DynamoDB accepts it)
      if (!item) continue;
      const at = newItem ? attributeNumber(newItem[setting.attributeName]) : undefined;
      if (at === undefined) expiries.delete(itemKey(table, item));
      else expiries.set(itemKey(table, item), { key: keyAttributes(table, item), at });
    }
  }

  /** Keys of the table's items whose expiry time has passed. */
  due(tableName: string, nowS: number): Item[] {
    const keys: Item[] = [];
    for (const { key, at } of this.expiries.get(tableName)?.values() ?? []) if (isDue(at, nowS)) keys.push(key);
    return keys;
  }

  async update(request: Record<string, unknown>): Promise<unknown> {
    const tableName = request.TableName as string;
    const spec = request.TimeToLiveSpecification as { Enabled?: unknown; AttributeName?: unknown } | undefined;
    if (typeof spec?.Enabled !== 'boolean' || typeof spec.AttributeName !== 'string' || spec.AttributeName === '')
      throw validationError('One or more parameter values were invalid: TimeToLiveSpecification requires Enabled and AttributeName');
    await getTable(this.store, tableName).catch(() => {
      throw resourceNotFound();
    });
    const current = this.settings.get(tableName);
    if (spec.Enabled && current?.enabled) throw validationError('TimeToLive is already enabled');
    if (!spec.Enabled && !current?.enabled) throw validationError('TimeToLive is already disabled');
    const next: TtlSetting = { tableName, attributeName: spec.AttributeName, enabled: spec.Enabled };
    await this.store.db.batch([{ type: 'put', key: PREFIX + tableName, value: next }]);
    this.settings.set(tableName, next);
    if (next.enabled) await this.index(next);
    else this.expiries.delete(tableName);
    return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
  }

  async describe(request: Record<string, unknown>): Promise<unknown> {
    const tableName = request.TableName as string;
    await getTable(this.store, tableName, false);
    const s = this.settings.get(tableName);
    return {
      TimeToLiveDescription: s?.enabled ? { TimeToLiveStatus: 'ENABLED', AttributeName: s.attributeName } : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  async forget(tableName: string): Promise<void> {
    this.settings.delete(tableName);
    this.expiries.delete(tableName);
    await this.store.db.batch([{ type: 'del', key: PREFIX + tableName }]);
  }

  enabled(): TtlSetting[] {
    return [...this.settings.values()].filter((s) => s.enabled);
  }
}

const isDue = (at: number, nowS: number) => at <= nowS && at > nowS - FIVE_YEARS_S;
const isExpired = (item: Item, attributeName: string, nowS: number) => {
  const at = attributeNumber(item[attributeName]);
  return at !== undefined && isDue(at, nowS);
};

/** Deletes every expired item of every table with TTL enabled. */
export async function sweepExpired(ctx: Context, now = Date.now()): Promise<number> {
  const nowS = now / 1000;
  let deleted = 0;
  for (const setting of ctx.ttl.enabled()) {
    const table = await getTable(ctx.store, setting.tableName).catch(() => undefined);
    if (!table) continue;
    const expired = ctx.ttl.due(table.TableName, nowS);
    if (expired.length === 0) continue;
    await ctx.lock.write(async () => {
      const changes: Change[] = [];
      for (const key of expired) {
        // The item may have been rewritten since the scan: judge it again under the lock.
        const oldItem = await readItem(ctx.store, table, key);
        if (!oldItem || !isExpired(oldItem, setting.attributeName, nowS)) continue;
        await run('deleteItem', { TableName: table.TableName, Key: key }, ctx.store);
        changes.push({ table, oldItem, newItem: undefined, userIdentity: TTL_PRINCIPAL });
      }
      await commit(ctx, changes);
      deleted += changes.length;
    });
  }
  return deleted;
}
