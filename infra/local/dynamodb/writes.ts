// Single-item writes and BatchWriteItem: dynalite does the work; we hold the write lock around it
// and read the item before (an update's new item comes back from dynalite) so the stream record
// carries both images.
import { addIndexWrites, type CapacityEntry } from './capacity';
import { commit, type Context } from './context';
import type { Item, Parsed, TableDescription } from './dynalite';
import { assertItem, assertKey, getTable, readItem, run, validate } from './dynalite';
import { ApiError, isApiError } from './errors';
import type { Change } from './streams';

type SingleWrite = 'putItem' | 'updateItem' | 'deleteItem';

export async function singleWrite(ctx: Context, action: SingleWrite, request: Parsed) {
  // dynalite does not know this newer parameter (its validation drops it); we add the old item ourselves.
  const returnOldOnFailure = request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
  const data = validate(action, request, ctx.store);
  // An update's new item (for the stream and the index capacity) comes back from dynalite itself
  // instead of from a read after the write, unless the caller asked for other return values.
  const asked = data.ReturnValues;
  const newFromUpdate = action === 'updateItem' && (asked === undefined || asked === 'NONE' || asked === 'ALL_NEW');
  if (newFromUpdate) data.ReturnValues = 'ALL_NEW';
  return ctx.lock.write(async () => {
    const table = await getTable(ctx.store, data.TableName as string);
    const key = (action === 'putItem' ? data.Item : data.Key) as Item;
    if (action === 'putItem') assertItem(table, key);
    else assertKey(table, key);
    const oldItem = await readItem(ctx.store, table, key);
    const out = await run(action, data, ctx.store).catch((err: unknown) => {
      if (returnOldOnFailure && oldItem && isApiError(err) && err.body.__type.endsWith('#ConditionalCheckFailedException'))
        throw new ApiError(err.statusCode, { ...err.body, Item: oldItem });
      throw err;
    });
    const newItem =
      action === 'putItem' ? key
      : action === 'deleteItem' ? undefined
      : newFromUpdate ? (out.Attributes as Item)
      : await readItem(ctx.store, table, key);
    if (newFromUpdate && asked !== 'ALL_NEW') delete out.Attributes;
    const change: Change = { table, oldItem, newItem };
    await commit(ctx, [change]);
    if (out.ConsumedCapacity)
      [out.ConsumedCapacity] = addIndexWrites([out.ConsumedCapacity as CapacityEntry], data.ReturnConsumedCapacity, [change]);
    return out;
  });
}

type WriteRequest = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };

export async function batchWrite(ctx: Context, request: Parsed) {
  const data = validate('batchWriteItem', request, ctx.store);
  return ctx.lock.write(async () => {
    const planned: { table: TableDescription; key: Item; newItem: Item | undefined }[] = [];
    try {
      for (const [tableName, requests] of Object.entries(data.RequestItems as Record<string, WriteRequest[]>)) {
        const table = await getTable(ctx.store, tableName);
        for (const r of requests) {
          const key = r.PutRequest ? r.PutRequest.Item : r.DeleteRequest!.Key;
          if (r.PutRequest) assertItem(table, key);
          else assertKey(table, key);
          planned.push({ table, key, newItem: r.PutRequest?.Item });
        }
      }
    } catch {
      // Let dynalite report the problem with its own (DynamoDB's) message; it writes nothing then.
      return run('batchWriteItem', data, ctx.store);
    }
    const olds = await Promise.all(planned.map((p) => readItem(ctx.store, p.table, p.key)));
    const out = await run('batchWriteItem', data, ctx.store);
    const changes: Change[] = planned.map((p, i) => ({ table: p.table, oldItem: olds[i], newItem: p.newItem }));
    await commit(ctx, changes);
    if (out.ConsumedCapacity) out.ConsumedCapacity = addIndexWrites(out.ConsumedCapacity as CapacityEntry[], data.ReturnConsumedCapacity, changes);
    return out;
  });
}
