// Time to live: UpdateTimeToLive / DescribeTimeToLive settings (kept in the LevelDB) and a sweeper
// that deletes expired items the way DynamoDB's TTL service does: a Number attribute holding epoch
// seconds in the past; the stream sees a REMOVE made by the service principal. Like DynamoDB, it
// ignores values more than five years in the past (likely milliseconds or a mistake).
import type { Context } from './context';
import type { Item, Store } from './dynalite';
import { getTable, keyAttributes, readItem, run } from './dynalite';
import { resourceNotFound, validationError } from './errors';
import { attributeNumber } from './items';
import type { Change } from './streams';

const PREFIX = 'oms-ttl~';
const FIVE_YEARS_S = 5 * 365 * 24 * 3600;
export const TTL_PRINCIPAL = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

interface TtlSetting { tableName: string; attributeName: string; enabled: boolean }

export class TtlSettings {
  private readonly settings = new Map<string, TtlSetting>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    for await (const [, value] of this.store.db.iterator({ gt: PREFIX, lt: `${PREFIX}\xff` })) {
      const s = value as TtlSetting;
      this.settings.set(s.tableName, s);
    }
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
    await this.store.db.batch([{ type: 'del', key: PREFIX + tableName }]);
  }

  enabled(): TtlSetting[] {
    return [...this.settings.values()].filter((s) => s.enabled);
  }
}

const isExpired = (item: Item, attributeName: string, nowS: number) => {
  const at = attributeNumber(item[attributeName]);
  return at !== undefined && at <= nowS && at > nowS - FIVE_YEARS_S;
};

/** Deletes every expired item of every table with TTL enabled. */
export async function sweepExpired(ctx: Context, now = Date.now()): Promise<number> {
  const nowS = now / 1000;
  let deleted = 0;
  for (const setting of ctx.ttl.enabled()) {
    const table = await getTable(ctx.store, setting.tableName).catch(() => undefined);
    if (!table) continue;
    const expired: Item[] = [];
    for await (const item of ctx.store.getItemDb(table.TableName).createValueStream()) {
      if (isExpired(item as Item, setting.attributeName, nowS)) expired.push(keyAttributes(table, item as Item));
    }
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
      await ctx.streams.append(changes);
      deleted += changes.length;
    });
  }
  return deleted;
}
