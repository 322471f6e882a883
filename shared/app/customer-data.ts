import { erasureCompleted, orderErasure, profileErasure, type ErasureRecord, type ErasureRequest } from '../domain/erasure';
import { NotFoundError } from '../domain/errors';
import type { CustomerMessageRepository } from '../store/customer-message-repository';
import type { CustomerRepository } from '../store/customer-repository';
import { personalItemsOf, type ErasureRepository } from '../store/erasure-repository';
import type { OrderRepository } from '../store/order-repository';
import { ConditionFailed, type Writer } from '../store/writer';
import { CUSTOMER_DATA_EVENTS } from '../../events/customers';
import { stamper } from './events';
import type { OrderStory } from './order-story';

/** The events these use cases publish, stamped for the outbox. */
const stamped = stamper(CUSTOMER_DATA_EVENTS);

/** Orders one export request reads (then it answers `complete: false` with a cursor), and how many at a time. */
export const EXPORT_ORDERS_PER_REQUEST = 50;
const EXPORT_PAGE = 25;
const EXPORT_PARALLEL = 5;
/** Orders one erase request anonymizes (one transaction each); the next request goes on from the marker. */
export const ERASE_ORDERS_PER_REQUEST = 50;

export interface CustomerDataDeps {
  customers: Pick<CustomerRepository, 'get' | 'orderIds'>;
  erasures: ErasureRepository;
  orders: Pick<OrderRepository, 'partitionItems' | 'orderViewOf'>;
  story: (orderId: string) => Promise<OrderStory | undefined>;
  messages: Pick<CustomerMessageRepository, 'aboutOrder'>;
  writer: Pick<Writer, 'commit'>;
  /** bounds per request (tests make them small) */
  limits?: { exportOrders?: number; eraseOrders?: number };
}

/** `work` over `items`, at most `width` at a time, answers in the items' order. */
async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(work))));
  return out;
}

/**
 * A customer's personal data: everything held about them as one document (export), and
 * their erasure. Both walk the customer's orders on an index, a bounded number per request.
 */
export function makeCustomerData(deps: CustomerDataDeps) {
  const exportLimit = deps.limits?.exportOrders ?? EXPORT_ORDERS_PER_REQUEST;
  const eraseLimit = deps.limits?.eraseOrders ?? ERASE_ORDERS_PER_REQUEST;

  /**
   * The profile, the erasure's audit item if any, and per order its whole story (order,
   * timeline, payments, refunds, fulfilments, shipments and tracking, returns, notes,
   * feedback, the departments' notifications) with the messages sent to the customer about
   * it. At most `exportLimit` orders, newest first; `complete` says whether that was all, and
   * `nextCursor` reads the next ones.
   */
  async function exportCustomer(customerId: string, opts: { cursor?: string | undefined; now: Date }) {
    const [customer, erasure] = await Promise.all([deps.customers.get(customerId, { consistent: true }), deps.erasures.get(customerId)]);
    if (!customer) throw new NotFoundError(`No customer ${customerId}`);
    const orderIds: string[] = [];
    let cursor = opts.cursor;
    do {
      const page = await deps.customers.orderIds(customerId, { limit: Math.min(EXPORT_PAGE, exportLimit - orderIds.length), ...(cursor ? { cursor } : {}) });
      orderIds.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor && orderIds.length < exportLimit);
    const orders = await inBatches(orderIds, EXPORT_PARALLEL, async (orderId) => {
      const [story, customerMessages] = await Promise.all([deps.story(orderId), deps.messages.aboutOrder(orderId)]);
      return story ? [{ ...story, customerMessages }] : [];
    });
    return {
      exportedAt: opts.now.toISOString(),
      complete: cursor === undefined,
      ...(cursor ? { nextCursor: cursor } : {}),
      customer,
      ...(erasure ? { erasure } : {}),
      orders: orders.flat(),
    };
  }

  /**
   * Erases the customer's personal data: the profile first (with the audit item and
   * CustomerErased), then each order, newest first, in a transaction of its own that moves
   * the audit item's marker; at most `eraseLimit` orders per call. Calling again goes on
   * from the marker, and once COMPLETE answers the record and changes nothing. A concurrent
   * call of the same erasure loses its next write and answers the record as it stands.
   */
  async function erase(customerId: string, cmd: ErasureRequest & { actor: string; now: Date; causationId: string }): Promise<ErasureRecord> {
    let record = await deps.erasures.get(customerId);
    if (!record) {
      const customer = await deps.customers.get(customerId, { consistent: true });
      if (!customer) throw new NotFoundError(`No customer ${customerId}`);
      try {
        await deps.writer.commit(stamped(profileErasure(customer, cmd), { now: cmd.now, correlationId: customerId, causationId: cmd.causationId }));
      } catch (err) {
        // a concurrent erasure created the audit item first (go on with it); an edit of the profile meanwhile is a 409
        if (!(err instanceof ConditionFailed) || !err.find('erasure')) throw err;
      }
      record = await deps.erasures.get(customerId);
      if (!record) throw new NotFoundError(`No customer ${customerId}`);
    }
    for (let budget = eraseLimit; record.status === 'IN_PROGRESS' && budget > 0;) {
      const next = await deps.erasures.ordersAfter(customerId, record.position, Math.min(budget, EXPORT_PAGE));
      if (next.length === 0) {
        if (!(await commitOrLose(stamped(erasureCompleted(record, cmd.now), { now: cmd.now, correlationId: customerId, causationId: cmd.causationId })))) break;
        record = { ...record, status: 'COMPLETE', completedAt: cmd.now.toISOString() };
        break;
      }
      for (const at of next) {
        budget--;
        const items = await deps.orders.partitionItems(at.orderId);
        const found = personalItemsOf(items, deps.orders.orderViewOf(items));
        const erased = found.order !== undefined && found.order.erasedAt === undefined;
        if (!(await commitOrLose(stamped(orderErasure(at, found, record, cmd), { now: cmd.now, correlationId: at.orderId, causationId: cmd.causationId })))) {
          return (await deps.erasures.get(customerId)) ?? record;
        }
        record = { ...record, position: at, ordersErased: record.ordersErased + (erased ? 1 : 0) };
      }
    }
    return (await deps.erasures.get(customerId)) ?? record;
  }

  /** Commits; false when a condition failed (another call of the same erasure, or an edit, got there first). */
  async function commitOrLose(set: Parameters<Writer['commit']>[0]): Promise<boolean> {
    try {
      await deps.writer.commit(set);
      return true;
    } catch (err) {
      if (err instanceof ConditionFailed) return false;
      throw err;
    }
  }

  return { exportCustomer, erase };
}
export type CustomerData = ReturnType<typeof makeCustomerData>;
