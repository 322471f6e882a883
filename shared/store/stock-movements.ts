import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { StockMovement } from '../domain/decision';
import type { ReservedLine } from '../domain/order-changes';
import { movementDeltas, type Movement } from '../domain/inventory';
import { DEFAULT_LOCATION_ID } from '../domain/replenishment';
import { newId } from './ids';
import * as keys from './keys';
import { ENTITY } from './keys';

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

interface StockMove {
  sku: string;
  locationId: string;
  movement: Movement;
  /** units; negative only for an adjustment that removes stock */
  quantity: number;
  at: string;
  actor: string;
  cause: { orderId?: string; adjustmentId?: string; shipmentId?: string; returnId?: string; reason?: string; note?: string };
  totalMissing?: readonly string[];
}

export type { ReservedLine };

function levelUpdate(tableName: string, key: { pk: string; sk: string }, m: StockMove, locationId?: string, missing: readonly string[] = []): TransactItem {
  const d = movementDeltas(m.movement, m.quantity);
  const values: Record<string, unknown> = {
    ':type': ENTITY.stock, ':sku': m.sku, ':zero': 0, ':one': 1, ':at': m.at,
    ':dOn': d.onHand, ':dRes': d.reserved, ':dAv': d.available,
  };
  // only stock arriving (an addition, a return's units at its receiving location) may create a level; everything else moves an existing one
  const arriving = (m.movement === 'ADJUSTMENT' && m.quantity > 0) || m.movement === 'RETURNED' || m.movement === 'DAMAGED';
  const conditions = arriving ? [] : ['attribute_exists(pk)'];
  for (const [attr, delta] of [['onHand', d.onHand], ['reserved', d.reserved], ['available', d.available]] as const) {
    if (delta < 0) {
      conditions.push(`${attr} >= :need_${attr}`);
      values[`:need_${attr}`] = -delta;
    }
  }
  for (const attr of missing) conditions.push(`attribute_not_exists(${attr})`);
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
function stockMoveItems(tableName: string, m: StockMove): [TransactItem, TransactItem, TransactItem] {
  const d = movementDeltas(m.movement, m.quantity);
  const entryId = newId(new Date(m.at));
  return [
    levelUpdate(tableName, keys.stockAt(m.sku, m.locationId), m, m.locationId),
    levelUpdate(tableName, keys.stock(m.sku), m, undefined, m.totalMissing),
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

const locationOf = (line: ReservedLine) => line.locationId ?? DEFAULT_LOCATION_ID;

/**
 * The items of one movement of a change set, each tagged for ConditionFailed: the
 * location's level (`stock:<sku>@<location>`, first, so its ALL_OLD explains a
 * shortage), the total (`stock:<sku>`), the ledger entry and the order's hold
 * (`hold:<sku>`), created by a reservation and ended, once, by a release or commit.
 */
export function movementItems(tableName: string, m: StockMovement, at: string): { item: TransactItem; tag: string }[] {
  const [level, total, ledger] = stockMoveItems(tableName, { ...m, at });
  const tagged = [
    { item: level, tag: `stock:${m.sku}@${m.locationId}` },
    { item: total, tag: `stock:${m.sku}` },
    { item: ledger, tag: `ledger:${m.sku}` },
  ];
  const orderId = m.cause.orderId;
  if (m.hold === 'create' && orderId) {
    tagged.push({
      tag: `hold:${m.sku}`,
      item: {
        Put: {
          TableName: tableName,
          Item: { ...keys.stockHold(m.sku, orderId), type: ENTITY.stockHold, sku: m.sku, orderId, locationId: m.locationId, quantity: m.quantity, createdAt: at },
          ConditionExpression: 'attribute_not_exists(pk)',
          // a hold already there tells a staged reservation where that SKU is held
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    });
  }
  if (m.hold === 'end' && orderId) {
    tagged.push({
      tag: `hold:${m.sku}`,
      // a hold ends once: a second release or commit of the same order fails here
      item: { Delete: { TableName: tableName, Key: keys.stockHold(m.sku, orderId), ConditionExpression: 'attribute_exists(pk)' } },
    });
  }
  if (m.hold === 'reduce' && orderId) {
    tagged.push({
      tag: `hold:${m.sku}`,
      // a shipment of part of what the order holds: some units stay held (the last shipment ends the hold)
      item: {
        Update: {
          TableName: tableName,
          Key: keys.stockHold(m.sku, orderId),
          UpdateExpression: 'SET quantity = quantity - :q, updatedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND quantity > :q',
          ExpressionAttributeValues: { ':q': m.quantity, ':at': at },
        },
      },
    });
  }
  return tagged;
}

/** An order's reserved lines as the movements that end their holds (cancel, reject, expiry: RELEASE; shipment: COMMIT). */
export function endHoldMovements(
  o: { orderId: string; lines: readonly ReservedLine[]; actor: string },
  movement: 'RELEASE' | 'COMMIT',
  reason?: string,
): StockMovement[] {
  return o.lines.map((line) => ({
    sku: line.sku, locationId: locationOf(line), movement, quantity: line.quantity, actor: o.actor,
    cause: { orderId: o.orderId, ...(reason ? { reason } : {}) }, hold: 'end' as const,
  }));
}

/** Reserved units go back to available where they were reserved, as raw transaction items (repair tools and tests). */
export function releaseItems(tableName: string, o: { orderId: string; lines: readonly ReservedLine[]; at: string; actor: string }, reason?: string): TransactItem[] {
  return endHoldMovements(o, 'RELEASE', reason).flatMap((m) => movementItems(tableName, m, o.at).map((t) => t.item));
}
