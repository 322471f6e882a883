import { OrderApproved, OrderDelivered, OrderPaid, OrderPlaced, OrderShipped } from '../../events/orders';
import { PaymentSucceeded, RefundIssued } from '../../events/payments';
import { ReturnReceived, ReturnRejected, ReturnRequested } from '../../events/returns';
import { EventBridgeEvent, type AnyEventDefinition } from '../../events/define-event';
import type { ReportEvent } from '../domain/reports';

/**
 * The events the reports count: the worker's queue receives exactly these (the bus rule
 * in infra/queued-steps.ts), and rebuild-reports reads them back from the event lake.
 */
export const REPORTED_EVENTS = [
  OrderPlaced, OrderApproved, OrderPaid, OrderShipped, OrderDelivered, PaymentSucceeded, RefundIssued, ReturnRequested, ReturnRejected, ReturnReceived,
] as const;

/** Whether an EventBridge event (as a rule target or the lake holds it) is one the reports count. */
export const isReported = (source: string, detailType: string) => REPORTED_EVENTS.some((d) => d.accepts(source, detailType));

/** An event as the report counters read it, from the EventBridge envelope. */
export function reportEventOf(input: unknown): ReportEvent {
  const envelope = EventBridgeEvent.parse(input);
  const def = REPORTED_EVENTS.find((d) => d.accepts(envelope.source, envelope['detail-type'])) as AnyEventDefinition | undefined;
  if (!def) throw new Error(`Unexpected event ${envelope.source}/${envelope['detail-type']}`);
  const { metadata, data } = def.parseDetail(envelope.detail) as { metadata: { eventId: string; occurredAt: string }; data: Record<string, unknown> };
  const base = { eventId: metadata.eventId, occurredAt: metadata.occurredAt, orderId: String(data.orderId) };
  switch (def.detailType) {
    case 'OrderPlaced': {
      const d = OrderPlaced.data.parse(data);
      return { ...base, type: 'OrderPlaced', channel: d.channel, placedAt: d.placedAt, subtotal: d.totals.subtotal, total: d.totals.total, lines: d.lines };
    }
    case 'PaymentSucceeded': {
      const d = PaymentSucceeded.data.parse(data);
      return { ...base, type: 'PaymentSucceeded', method: d.method, amount: d.amount };
    }
    case 'RefundIssued':
      return { ...base, type: 'RefundIssued', amount: RefundIssued.data.parse(data).amount };
    case 'ReturnRequested':
    case 'ReturnRejected':
    case 'ReturnReceived': {
      const d = ReturnRequested.data.parse(data);
      return { ...base, type: def.detailType, kind: d.type, lines: d.lines };
    }
    default:
      return { ...base, type: def.detailType as 'OrderApproved' | 'OrderPaid' | 'OrderShipped' | 'OrderDelivered' };
  }
}
