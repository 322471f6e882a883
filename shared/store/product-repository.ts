import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ratingSummary } from '../domain/customer-figures';
import { Product, type ProductInput } from '../domain/product';
import * as keys from './keys';
import { ENTITY, INDEX } from './keys';
import { cursors } from './cursor';
import { sleep, type Page, type TableContext } from './table';

const OPTIONAL = ['reorderPoint', 'leadTimeDays', 'safetyStock'] as const;

export function productFromItem(item: Record<string, unknown>): Product {
  return Product.parse({
    sku: item.sku,
    name: item.name,
    price: item.price,
    cost: item.cost,
    reorderPoint: item.reorderPoint,
    leadTimeDays: item.leadTimeDays,
    safetyStock: item.safetyStock,
    feedback: ratingSummary(Number(item.feedbackCount ?? 0), Number(item.feedbackSum ?? 0)),
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  });
}

/** BatchGetItem with the retries of unprocessed keys it requires; returns items in any order. */
export async function batchGet(
  ctx: TableContext,
  keyList: readonly { pk: string; sk: string }[],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < keyList.length; i += 100) {
    let pending: { pk: string; sk: string }[] | undefined = keyList.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      const res = await ctx.doc.send(
        new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: pending, ConsistentRead: true } } }),
      );
      out.push(...(res.Responses?.[ctx.tableName] ?? []));
      pending = res.UnprocessedKeys?.[ctx.tableName]?.Keys as { pk: string; sk: string }[] | undefined;
    }
  }
  return out;
}

export function productRepository(ctx: TableContext) {
  return {
    /** Create or replace a product; `created` tells 201 from 200. */
    async put(sku: string, input: ProductInput, now: Date): Promise<{ product: Product; created: boolean }> {
      const at = now.toISOString();
      const set = [
        '#type = :type', 'sku = :sku', '#name = :name', 'price = :price', 'cost = :cost',
        'gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk', 'createdAt = if_not_exists(createdAt, :now)', 'updatedAt = :now',
      ];
      const remove: string[] = [];
      const values: Record<string, unknown> = {
        ':type': ENTITY.product, ':sku': sku, ':name': input.name, ':price': input.price, ':cost': input.cost,
        ':now': at, ...Object.fromEntries(Object.entries(keys.productListing(sku)).map(([k, v]) => [`:${k}`, v])),
      };
      // PUT replaces the resource: optional settings left out are removed
      for (const field of OPTIONAL) {
        if (input[field] === undefined) remove.push(field);
        else {
          set.push(`${field} = :${field}`);
          values[`:${field}`] = input[field];
        }
      }
      const res = await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: keys.product(sku),
          UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ExpressionAttributeNames: { '#type': 'type', '#name': 'name' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = res.Attributes;
      const product = Product.parse({ ...input, sku, createdAt: (old?.createdAt as string | undefined) ?? at, updatedAt: at });
      return { product, created: !old };
    },

    async get(sku: string): Promise<Product | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: keys.product(sku) }));
      return res.Item ? productFromItem(res.Item) : undefined;
    },

    async exists(sku: string): Promise<boolean> {
      const res = await ctx.doc.send(
        new GetCommand({ TableName: ctx.tableName, Key: keys.product(sku), ProjectionExpression: 'pk' }),
      );
      return res.Item !== undefined;
    },

    async getMany(skus: readonly string[]): Promise<Map<string, Product>> {
      const unique = [...new Set(skus)];
      const items = await batchGet(ctx, unique.map((sku) => keys.product(sku)));
      return new Map(items.map((item) => [item.sku as string, productFromItem(item)]));
    },

    /** Products by SKU, a page at a time, through the listing index (never a Scan). */
    async list(opts: { cursor?: string; limit: number }): Promise<Page<Product>> {
      const query = { list: 'products' };
      const res = await ctx.doc.send(
        new QueryCommand({
          TableName: ctx.tableName,
          IndexName: INDEX.gsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.productListingPk },
          ExclusiveStartKey: cursors().startKey(query, opts.cursor),
          Limit: opts.limit,
        }),
      );
      return { items: (res.Items ?? []).map(productFromItem), nextCursor: cursors().next(query, res.LastEvaluatedKey) };
    },
  };
}
export type ProductRepository = ReturnType<typeof productRepository>;
