import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { TrackingRecord } from '../shipping/port';
import * as keys from './keys';
import type { TableContext } from './table';

// A parcel's TrackingRecord by its tracking number (written with the shipment, moved by
// tracking reports through the writer). Only the record's own fields are read back:
// keys, type and any index attributes stay in the store.

/** The record's own fields, read from its schema on first use. */
let fields: string[] | undefined;
const recordFields = () => (fields ??= Object.keys(TrackingRecord.unwrap().shape));

export function trackingRepository(ctx: TableContext) {
  return {
    async get(trackingNumber: string): Promise<TrackingRecord | undefined> {
      const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: keys.tracking(trackingNumber), ConsistentRead: true }));
      if (!Item) return undefined;
      return TrackingRecord.parse(Object.fromEntries(recordFields().filter((f) => Item[f] !== undefined).map((f) => [f, Item[f]])));
    },
  };
}
export type TrackingRepository = ReturnType<typeof trackingRepository>;
