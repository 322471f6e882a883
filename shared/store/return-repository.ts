import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ReturnRecord, type ReturnKind, type ReturnStatus } from '../domain/returns';
import { cursors } from './cursor';
import * as keys from './keys';
import { INDEX } from './keys';
import { queryAll, type Page, type TableContext } from './table';

// Reads of returns (an order's, one by id, a status's queue); every write is a change set committed by the writer.

const STORED = ['pk', 'sk', 'type', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'];

/** The return items of an order partition's items (any other item is skipped), oldest first. */
export function returnsFrom(items: readonly Record<string, unknown>[]): ReturnRecord[] {
  return items
    .filter((i) => keys.isReturn(String(i.sk)))
    .map((i) => ReturnRecord.parse(Object.fromEntries(Object.entries(i).filter(([k]) => !STORED.includes(k)))))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

export function returnRepository(ctx: TableContext) {
  const T = ctx.tableName;
  return {
    /** Every return and claim of an order: one consistent Query of its partition. */
    async ofOrder(orderId: string): Promise<ReturnRecord[]> {
      const { pk, sk } = keys.return(orderId, '');
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': sk },
        ConsistentRead: true,
      });
      return returnsFrom(items);
    },

    /** The returns whose replacement waits for stock of a SKU (the STOCKWAIT items). */
    async waitingOn(sku: string): Promise<{ returnId: string; orderId: string }[]> {
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.stockWaitPk(sku) },
      });
      return items.map((i) => ({ returnId: String(i.returnId), orderId: String(i.orderId) }));
    },

    /**
     * A page of the returns in a status, oldest first (gsi2 `RETURNS#<status>`), of one type
     * when `type` is given (a filter: a page may then hold fewer than `limit` with a next cursor).
     */
    async inStatus(status: ReturnStatus, opts: { type?: ReturnKind | undefined; limit: number; cursor?: string | undefined }): Promise<Page<ReturnRecord>> {
      const query = { list: 'returns-by-status', status, type: opts.type };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: T,
          IndexName: INDEX.gsi2,
          KeyConditionExpression: 'gsi2pk = :pk',
          ...(opts.type
            ? { FilterExpression: '#kind = :kind', ExpressionAttributeNames: { '#kind': 'kind' }, ExpressionAttributeValues: { ':pk': keys.returnStatusPk(status), ':kind': opts.type } }
            : { ExpressionAttributeValues: { ':pk': keys.returnStatusPk(status) } }),
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
          Limit: opts.limit,
        }),
      );
      return { items: returnsFrom(res.Items ?? []), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },

    /** The order a return belongs to (its routes name only the return). */
    async orderOfReturn(returnId: string): Promise<string | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.returnRef(returnId), ConsistentRead: true }));
      return res.Item ? String(res.Item.orderId) : undefined;
    },
  };
}
export type ReturnRepository = ReturnType<typeof returnRepository>;
