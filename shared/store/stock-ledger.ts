import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LedgerEntry } from '../domain/inventory';
import { DEFAULT_LOCATION_ID, salesVelocity, VELOCITY_WINDOW_DAYS } from '../domain/replenishment';
import * as keys from './keys';
import { cursors } from './cursor';
import { queryAll, type Page, type TableContext } from './table';

/** Window over which average daily demand is measured for replenishment advice. */
/** the window of sales velocity (one definition, in the domain) */
export const DEMAND_WINDOW_DAYS = VELOCITY_WINDOW_DAYS;

export function ledgerEntryFromItem(item: Record<string, unknown>): LedgerEntry {
  const movement = (item.movement as string | undefined) ?? 'ADJUSTMENT';
  const quantity = Number(item.quantity ?? item.delta);
  return LedgerEntry.parse({
    entryId: item.entryId ?? item.adjustmentId,
    at: item.at,
    sku: item.sku,
    locationId: item.locationId ?? DEFAULT_LOCATION_ID,
    movement,
    quantity,
    onHandDelta: Number(item.onHandDelta ?? quantity),
    reservedDelta: Number(item.reservedDelta ?? 0),
    availableDelta: Number(item.availableDelta ?? quantity),
    cause: Object.fromEntries(
      (['orderId', 'adjustmentId', 'reason', 'note'] as const).filter((k) => item[k] !== undefined).map((k) => [k, String(item[k])]),
    ),
    actor: item.actor,
  });
}

/** Reads of the stock ledger: every movement of a SKU with its cause (written by the writer with the movement). */
export function stockLedger(ctx: TableContext) {
  const T = ctx.tableName;
  return {
    /** Raw ledger items of a SKU, oldest first. */
    async ledger(sku: string): Promise<Record<string, unknown>[]> {
      const { pk, skPrefix } = keys.ledgerPrefix(sku);
      // every page: a long-lived SKU's ledger outgrows one Query response
      return queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
        ConsistentRead: true,
      });
    },

    /** The ledger newest first, a page at a time. */
    async ledgerPage(sku: string, opts: { cursor?: string; limit: number }): Promise<Page<LedgerEntry>> {
      const { pk, skPrefix } = keys.ledgerPrefix(sku);
      const query = { list: 'ledger', sku };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
          ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
          ScanIndexForward: false,
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
          Limit: opts.limit,
        }),
      );
      return { items: (res.Items ?? []).map(ledgerEntryFromItem), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },

    /**
     * Sales velocity: units taken by orders (reservations minus releases) per day over the
     * window, from the ledger. Replenishment and the inventory report both read it here.
     */
    async averageDailyDemand(sku: string, now: Date): Promise<number> {
      const from = new Date(now.getTime() - DEMAND_WINDOW_DAYS * 86_400_000).toISOString();
      const { pk, skPrefix } = keys.ledgerPrefix(sku);
      const movements = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        FilterExpression: 'movement IN (:reserve, :release)',
        ProjectionExpression: 'movement, quantity',
        ExpressionAttributeValues: {
          ':pk': pk, ':from': keys.ledgerFrom(from), ':to': `${skPrefix}\uffff`, ':reserve': 'RESERVE', ':release': 'RELEASE',
        },
      });
      let net = 0;
      for (const i of movements) net += (i.movement === 'RESERVE' ? 1 : -1) * Number(i.quantity);
      return salesVelocity(net, DEMAND_WINDOW_DAYS);
    },
  };
}
export type StockLedger = ReturnType<typeof stockLedger>;
