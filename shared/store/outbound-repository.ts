import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Fulfilment, lineQuantities, type LineQuantities } from '../domain/fulfilment';
import type { OrderRecord } from '../domain/order';
import { returnedUnits } from '../domain/returns';
import { Shipment } from '../domain/shipment';
import { returnsFrom } from './return-repository';
import * as keys from './keys';
import { INDEX } from './keys';
import { queryAll, type TableContext } from './table';

// Reads of outbound items (fulfilments, shipments, the completion due index); every
// write is a change set committed by the writer.

export interface OrderOutbound {
  fulfilments: Fulfilment[];
  shipments: Shipment[];
}

const byCreation = <T extends { createdAt: string }>(a: T, b: T) => a.createdAt.localeCompare(b.createdAt);

/** Outbound items of an order partition (any other item is skipped); keys and index attributes dropped. */
export function orderOutboundFrom(items: readonly Record<string, unknown>[]): OrderOutbound {
  const of = (kind: 'fulfilment' | 'shipment') => items.filter((i) => keys.outboundKind(String(i.sk)) === kind);
  return {
    fulfilments: of('fulfilment').map((i) => Fulfilment.parse(i)).sort(byCreation),
    shipments: of('shipment').map((i) => Shipment.parse(i)).sort(byCreation),
  };
}

/** What GET /orders/{orderId} shows of outbound: quantities per line, fulfilments, shipments. */
export interface OutboundView extends OrderOutbound {
  lines: LineQuantities[];
}

export function outboundViewOf(order: Pick<OrderRecord, 'lines'>, o: OrderOutbound, returned: ReadonlyMap<string, number> = new Map()): OutboundView {
  const lines = lineQuantities(order.lines, o.fulfilments, o.shipments).map((q) => ({ ...q, returned: returned.get(q.sku) ?? 0 }));
  return { lines, ...o };
}

/** An order as GET /orders/{orderId} answers it: its stored outbound items turned into the outbound view. */
export function withOutbound<O extends { lines: OrderRecord['lines']; outboundItems?: Record<string, unknown>[] }>(order: O): Omit<O, 'outboundItems'> & { outbound?: OutboundView } {
  const { outboundItems, ...rest } = order;
  return outboundItems?.length ? { ...rest, outbound: outboundViewOf(order, orderOutboundFrom(outboundItems), returnedUnits(returnsFrom(outboundItems))) } : rest;
}

export function outboundRepository(ctx: TableContext) {
  const T = ctx.tableName;
  return {
    /** Fulfilments and shipments of an order: one consistent Query of its partition. */
    async outbound(orderId: string): Promise<OrderOutbound> {
      const { pk, skPrefix } = keys.outboundPrefix(orderId);
      const items = await queryAll(ctx, {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)',
        ExpressionAttributeValues: { ':pk': pk, ':p': skPrefix },
        ConsistentRead: true,
      });
      return orderOutboundFrom(items);
    },

    /** The order a fulfilment belongs to (its routes name only the fulfilment). */
    async orderOfFulfilment(fulfillmentId: string): Promise<string | undefined> {
      const res = await ctx.doc.send(new GetCommand({ TableName: T, Key: keys.fulfilmentRef(fulfillmentId), ConsistentRead: true }));
      return res.Item ? String(res.Item.orderId) : undefined;
    },

    /** Orders with a shipment of this tracking number (gsi1 of the shipments; never a scan). */
    async ordersByTracking(trackingNumber: string, limit = 20): Promise<string[]> {
      const res = await ctx.doc.send(new QueryCommand({
        TableName: T, IndexName: INDEX.gsi1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.shipmentTrackingPk(trackingNumber) },
        Limit: limit,
      }));
      return [...new Set((res.Items ?? []).map((i) => String(i.orderId)))];
    },

    /** Delivered orders whose return window closed by `now`, oldest first. */
    async dueForCompletion(now: Date, limit = 100): Promise<string[]> {
      const res = await ctx.doc.send(new QueryCommand({
        TableName: T, IndexName: INDEX.gsi2,
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :until',
        ExpressionAttributeValues: { ':pk': keys.completionDuePk, ':until': keys.completionDueUntil(now.toISOString()) },
        Limit: limit,
      }));
      return (res.Items ?? []).map((i) => String(i.orderId));
    },
  };
}
export type OutboundRepository = ReturnType<typeof outboundRepository>;
