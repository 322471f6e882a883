import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Location, type LocationInput } from '../domain/inventory';
import { DEFAULT_LOCATION_ID } from '../domain/replenishment';
import * as keys from './keys';
import { ENTITY, INDEX } from './keys';
import { queryAll, type TableContext } from './table';

/** The default location exists out of the box, without an item; PUT /locations/MAIN may rename or re-rank it. */
export const DEFAULT_LOCATION: Location = { locationId: DEFAULT_LOCATION_ID, name: 'Main warehouse', priority: 1 };

const fromItem = (item: Record<string, unknown>): Location =>
  Location.parse({ locationId: item.locationId, name: item.name, priority: item.priority });

export function locationRepository(ctx: TableContext) {
  return {
    async put(locationId: string, input: LocationInput, now: Date): Promise<{ location: Location; created: boolean }> {
      const at = now.toISOString();
      const res = await ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: keys.location(locationId),
          UpdateExpression:
            'SET #type = :type, locationId = :id, #name = :name, priority = :priority, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk, ' +
            'createdAt = if_not_exists(createdAt, :at), updatedAt = :at',
          ExpressionAttributeNames: { '#type': 'type', '#name': 'name' },
          ExpressionAttributeValues: {
            ':type': ENTITY.location, ':id': locationId, ':name': input.name, ':priority': input.priority, ':at': at,
            ...Object.fromEntries(Object.entries(keys.locationListing(input.priority, locationId)).map(([k, v]) => [`:${k}`, v])),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      // the default location "exists" before its first PUT
      const created = !res.Attributes && locationId !== DEFAULT_LOCATION_ID;
      return { location: { locationId, ...input }, created };
    },

    /** Every location by priority (few: warehouses and stores), read from the listing index, never a scan. */
    async list(): Promise<Location[]> {
      const out: Location[] = (
        await queryAll(ctx, {
          IndexName: INDEX.gsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.locationListingPk },
        })
      ).map(fromItem);
      if (!out.some((l) => l.locationId === DEFAULT_LOCATION_ID)) out.push(DEFAULT_LOCATION);
      return out.sort((a, b) => a.priority - b.priority || (a.locationId < b.locationId ? -1 : a.locationId > b.locationId ? 1 : 0));
    },
  };
}
export type LocationRepository = ReturnType<typeof locationRepository>;
