import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import * as keys from './keys';
import { ENTITY } from './keys';
import type { TableContext } from './table';

// A marketplace channel's SKU map: one item per channel, replaced whole by the admin.

export const StoredSkuMap = z.object({
  channel: z.string(),
  skus: z.record(z.string(), z.string()),
  clients: z.array(z.string()),
  version: z.number(),
  updatedAt: z.string(),
  updatedBy: z.string(),
});
export type StoredSkuMap = z.infer<typeof StoredSkuMap>;

export function skuMapRepository(ctx: TableContext) {
  return {
    async get(channel: string): Promise<StoredSkuMap | undefined> {
      const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: keys.skuMap(channel), ConsistentRead: true }));
      return Item ? StoredSkuMap.parse(Item) : undefined;
    },
    /** Replaces the map if it is still the version read (none: it must not exist yet); false when it moved. */
    async put(map: StoredSkuMap, readVersion: number | undefined): Promise<boolean> {
      try {
        await ctx.doc.send(new PutCommand({
          TableName: ctx.tableName,
          Item: { ...keys.skuMap(map.channel), type: ENTITY.skuMap, ...map },
          ConditionExpression: readVersion === undefined ? 'attribute_not_exists(pk)' : 'version = :read',
          ...(readVersion === undefined ? {} : { ExpressionAttributeValues: { ':read': readVersion } }),
        }));
        return true;
      } catch (err) {
        if (err instanceof Error && err.name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },
  };
}
export type SkuMapRepository = ReturnType<typeof skuMapRepository>;
