import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { customerMessages, type CustomerMessages } from '../../../shared/app/customer-messages';
import { customerMessageRepository } from '../../../shared/store/customer-message-repository';
import * as keys from '../../../shared/store/keys';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let messages: CustomerMessages;

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  messages = customerMessages({ doc: table.doc, tableName: table.tableName });
  const order = (orderId: string, extra: Record<string, unknown>) =>
    table.doc.send(new PutCommand({ TableName: table.tableName, Item: { ...keys.order(orderId), type: 'ORDER', orderId, orderNumber: 'N1', ...extra } }));
  await order('CM1', { customer: { customerId: 'cus_1', email: 'mei@example.com', name: 'Mei', phone: '+886' } });
  await order('CM2', { customer: { customerId: 'cus_2', email: 'li@example.com', name: 'Li' }, language: 'zh-Hans' });
  await order('CM3', { customer: { customerId: 'cus_3', email: 'x@example.com', name: 'X' }, language: 'fr' });
});
afterAll(() => table?.drop());

describe('customer messages store', () => {
  it("reads only the order's e-mail, name and a language it knows", async () => {
    expect(await messages.contact('CM1')).toEqual({ email: 'mei@example.com', name: 'Mei', language: undefined });
    expect(await messages.contact('CM2')).toMatchObject({ email: 'li@example.com', language: 'zh-Hans' });
    expect((await messages.contact('CM3'))?.language).toBeUndefined();
    expect(await messages.contact('NOPE')).toBeUndefined();
  });

  it("holds an event's send for one delivery at a time: another waits until it is given back or runs out", async () => {
    const at = new Date('2026-12-01T05:00:00.000Z');
    const until = at.getTime() + 30_000;
    expect(await messages.claimSend('EV-HOLD', 'copy-a', at, until)).toBe(true);
    expect(await messages.claimSend('EV-HOLD', 'copy-b', at, until)).toBe(false);
    // the holder's own redelivery takes it again; a release by another copy changes nothing
    expect(await messages.claimSend('EV-HOLD', 'copy-a', at, until)).toBe(true);
    await messages.releaseSend('EV-HOLD', 'copy-b');
    expect(await messages.claimSend('EV-HOLD', 'copy-b', at, until)).toBe(false);
    // a hold that ran out (its holder gone) is taken over
    expect(await messages.claimSend('EV-HOLD', 'copy-b', new Date(until + 1), until + 30_000)).toBe(true);
    // given back, it is free at once
    await messages.releaseSend('EV-HOLD', 'copy-b');
    expect(await messages.claimSend('EV-HOLD', 'copy-c', at, until)).toBe(true);
  });

  it('marks an event sent once: a second mark is refused, the first stays', async () => {
    const m = { eventId: 'EV1', orderId: 'CM1', detailType: 'ShipmentCreated', messageId: 'ses-1', sentAt: '2026-12-01T05:00:00.000Z' };
    expect(await messages.wasSent('EV1')).toBe(false);
    expect(await messages.markSent(m)).toBe(true);
    expect(await messages.markSent({ ...m, messageId: 'ses-2' })).toBe(false);
    expect(await messages.wasSent('EV1')).toBe(true);
    const item = (await table.doc.send(new GetCommand({ TableName: table.tableName, Key: keys.customerMessageSent('EV1') }))).Item!;
    expect(item).toMatchObject({ messageId: 'ses-1', expiresAt: Date.parse(m.sentAt) / 1000 + 30 * 86_400 });
    expect(JSON.stringify(item)).not.toContain('@');
  });

  it("lists what was sent about an order, oldest first (the customer's export)", async () => {
    const sent = (eventId: string, sentAt: string, detailType = 'OrderDelivered') => ({ eventId, orderId: 'CM2', detailType, messageId: `ses-${eventId}`, sentAt });
    await messages.markSent(sent('EV3', '2026-12-01T07:00:00.000Z'));
    await messages.markSent(sent('EV2', '2026-12-01T06:00:00.000Z', 'ShipmentCreated'));
    const about = await customerMessageRepository({ doc: table.doc, tableName: table.tableName }).aboutOrder('CM2');
    expect(about).toEqual([sent('EV2', '2026-12-01T06:00:00.000Z', 'ShipmentCreated'), sent('EV3', '2026-12-01T07:00:00.000Z')]);
  });
});
