import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { movementDeltas, type Movement } from '../domain/inventory';
import { DEFAULT_LOCATION_ID } from '../domain/replenishment';
import { newId } from './ids';
import { ENTITY, keys } from './keys';

// Transaction items for every stock movement. A movement touches three items in
// the SKU's partition: the level at one location, the SKU's total over all
// locations, and a ledger entry; an order's reserve/release/commit also writes or
// deletes its hold (one item per SKU and order, what reconciliation adds up).
// Both levels move in the same update shape under the same conditions, so the
// total stays the sum of the locations and `0 <= reserved <= onHand` holds at each:
// DynamoDB conditions cannot do arithmetic, hence `available` is stored and moved
// alongside and the guards compare each counter with the amount it loses.

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Items one order line adds to a transaction (location, total, ledger, hold). */
export const ACTIONS_PER_RESERVED_SKU = 4;

export interface StockMove {
  sku: string;
  locationId: string;
  movement: Movement;
  /** units; negative only for an adjustment that removes stock */
  quantity: number;
  at: string;
  actor: string;
  cause: { orderId?: string; adjustmentId?: string; reason?: string; note?: string };
}

/** A reserved line as the RESERVATION item records it; lines written before locations existed have none. */
export interface ReservedLine {
  sku: string;
  quantity: number;
  locationId?: string;
}

function levelUpdate(tableName: string, key: { pk: string; sk: string }, m: StockMove, locationId?: string): TransactItem {
  const d = movementDeltas(m.movement, m.quantity);
  const values: Record<string, unknown> = {
    ':type': ENTITY.stock, ':sku': m.sku, ':zero': 0, ':one': 1, ':at': m.at,
    ':dOn': d.onHand, ':dRes': d.reserved, ':dAv': d.available,
  };
  // only stock arriving may create a level; everything else moves an existing one
  const conditions = m.movement === 'ADJUSTMENT' && m.quantity > 0 ? [] : ['attribute_exists(pk)'];
  for (const [attr, delta] of [['onHand', d.onHand], ['reserved', d.reserved], ['available', d.available]] as const) {
    if (delta < 0) {
      conditions.push(`${attr} >= :need_${attr}`);
      values[`:need_${attr}`] = -delta;
    }
  }
  if (locationId !== undefined) values[':loc'] = locationId;
  return {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression:
        `SET #type = :type, sku = :sku, ${locationId !== undefined ? 'locationId = :loc, ' : ''}` +
        'onHand = if_not_exists(onHand, :zero) + :dOn, reserved = if_not_exists(reserved, :zero) + :dRes, ' +
        'available = if_not_exists(available, :zero) + :dAv, updatedAt = :at ADD rev :one',
      ...(conditions.length ? { ConditionExpression: conditions.join(' AND ') } : {}),
      ExpressionAttributeNames: { '#type': 'type' },
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
}

/** [location level, total level, ledger entry]: the location's level fails first, so its ALL_OLD explains a shortage. */
export function stockMoveItems(tableName: string, m: StockMove): [TransactItem, TransactItem, TransactItem] {
  const d = movementDeltas(m.movement, m.quantity);
  const entryId = newId(new Date(m.at));
  return [
    levelUpdate(tableName, keys.stockAt(m.sku, m.locationId), m, m.locationId),
    levelUpdate(tableName, keys.stock(m.sku), m),
    {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.ledger(m.sku, m.at, entryId),
          type: ENTITY.ledger,
          entryId,
          sku: m.sku,
          locationId: m.locationId,
          movement: m.movement,
          quantity: m.quantity,
          onHandDelta: d.onHand,
          reservedDelta: d.reserved,
          availableDelta: d.available,
          ...m.cause,
          // adjustments kept `delta` before movements had kinds
          ...(m.movement === 'ADJUSTMENT' ? { delta: m.quantity } : {}),
          actor: m.actor,
          at: m.at,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

interface OrderMovement {
  orderId: string;
  lines: readonly ReservedLine[];
  at: string;
  actor: string;
}

const locationOf = (line: ReservedLine) => line.locationId ?? DEFAULT_LOCATION_ID;

/** Reserve each line at its location and record the order's hold; ACTIONS_PER_RESERVED_SKU items per line. */
export function reserveItems(tableName: string, o: OrderMovement): TransactItem[] {
  return o.lines.flatMap((line) => [
    ...stockMoveItems(tableName, {
      sku: line.sku, locationId: locationOf(line), movement: 'RESERVE', quantity: line.quantity, at: o.at, actor: o.actor,
      cause: { orderId: o.orderId },
    }),
    {
      Put: {
        TableName: tableName,
        Item: {
          ...keys.stockHold(line.sku, o.orderId),
          type: ENTITY.stockHold, sku: line.sku, orderId: o.orderId, locationId: locationOf(line), quantity: line.quantity, createdAt: o.at,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]);
}

function endHold(tableName: string, movement: 'RELEASE' | 'COMMIT', o: OrderMovement, reason?: string): TransactItem[] {
  return o.lines.flatMap((line) => [
    ...stockMoveItems(tableName, {
      sku: line.sku, locationId: locationOf(line), movement, quantity: line.quantity, at: o.at, actor: o.actor,
      cause: { orderId: o.orderId, ...(reason ? { reason } : {}) },
    }),
    {
      Delete: {
        TableName: tableName,
        Key: keys.stockHold(line.sku, o.orderId),
        // a hold ends once: a second release or commit of the same order fails here
        ConditionExpression: 'attribute_exists(pk)',
      },
    },
  ]);
}

/** Reserved units go back to available where they were reserved (cancel, reject, expiry). */
export const releaseItems = (tableName: string, o: OrderMovement, reason?: string) => endHold(tableName, 'RELEASE', o, reason);

/** Shipment: reserved units leave on-hand at their location. */
export const commitItems = (tableName: string, o: OrderMovement, reason?: string) => endHold(tableName, 'COMMIT', o, reason);
