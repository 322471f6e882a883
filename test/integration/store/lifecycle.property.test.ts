import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DomainError } from '../../../shared/domain/errors';
import type { LifecycleCommand } from '../../../shared/domain/lifecycle';
import type { OrderStatus } from '../../../shared/domain/order-status';
import { application as repositories, type Application as Repositories } from '../../../shared/app';
import { orderLifecycle, type OrderLifecycle } from '../../../shared/app/order-lifecycle';
import { NOW, pendingOrder, stocked } from '../../support/fixtures';
import { createTestTable, type TestTable } from '../../support/table';

// Random command sequences against the real store, some sent concurrently: whatever
// happens, every order ends in a legal status, each refusal is a domain error (never a
// half-written transaction), and the SKU's reserved count is exactly what the orders
// that still hold stock reserved.

let table: TestTable;
let repos: Repositories;
let lifecycle: OrderLifecycle;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  repos = repositories(table.doc, table.tableName);
  lifecycle = orderLifecycle({ doc: table.doc, tableName: table.tableName });
});
afterAll(() => table?.drop());

const HOLDING: ReadonlySet<OrderStatus> = new Set(['IN_REVIEW', 'AWAITING_PAYMENT', 'PAID', 'FULFILLING']);
const LATER = new Date(NOW.getTime() + 48 * 3600_000);

const COMMANDS: Record<string, LifecycleCommand> = {
  approve: { type: 'approve', actor: { kind: 'user', id: 'u-ops', role: 'ops' } },
  reject: { type: 'reject', actor: { kind: 'user', id: 'u-ops', role: 'ops' }, reason: 'no' },
  cancel: { type: 'cancel', actor: { kind: 'user', id: 'u-cs', role: 'cs' }, reason: 'asked' },
  shopCancel: { type: 'cancel', actor: { kind: 'storefront', id: 'shop-client-1' }, reason: 'asked' },
  expire: { type: 'expire', actor: { kind: 'system', id: 'expire-unpaid' } },
  pay: { type: 'pay', actor: { kind: 'system', id: 'payments' } },
};

const step = fc.record({
  order: fc.integer({ min: 0, max: 2 }),
  command: fc.constantFrom(...Object.keys(COMMANDS)),
  /** sent together with the next step */
  concurrent: fc.boolean(),
});

let round = 0;

describe('lifecycle property (store)', () => {
  it('random concurrent command sequences: legal statuses, stock conserved', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        const sku = `PROP-${++round}-${Math.random().toString(36).slice(2, 6)}`;
        await stocked(repos, sku, 20);
        const quantities = [1, 2, 3];
        const orderIds = await Promise.all(quantities.map((quantity) => pendingOrder(repos, [{ sku, quantity }])));
        for (const id of orderIds) expect((await repos.orders.reserve(id, 'evt', NOW)).outcome).toBe('reserved');

        const send = (s: (typeof steps)[number]) =>
          lifecycle.transition(orderIds[s.order]!, COMMANDS[s.command]!, { causationId: 'prop', now: LATER, paymentDeadlineMinutes: 60 }).then(
            () => undefined,
            (err: unknown) => {
              if (!(err instanceof DomainError)) throw err;
            },
          );
        for (let i = 0; i < steps.length; i++) {
          if (steps[i]!.concurrent && i + 1 < steps.length) {
            await Promise.all([send(steps[i]!), send(steps[i + 1]!)]);
            i++;
          } else await send(steps[i]!);
        }

        const orders = await Promise.all(orderIds.map((id) => repos.orders.getRecord(id)));
        const held = orders.reduce((sum, o, i) => sum + (HOLDING.has(o!.status) ? quantities[i]! : 0), 0);
        expect(await repos.stock.get(sku)).toMatchObject({ onHand: 20, reserved: held, available: 20 - held });
      }),
      { numRuns: 12 },
    );
  });
});
