import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { makeHandler as makeNotifications } from '../../../functions/notifications/notifications';
import { makeHandler as makeNotify } from '../../../functions/notify/notify';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../../../shared/domain/notifications';
import { notificationService as notificationRepository } from '../../../shared/app/notifications';
import { call, lambdaContext, TOKENS } from '../../support/api-event';
import { createTestTable, type TestTable } from '../../support/table';

let table: TestTable;
let notify: ReturnType<typeof makeNotify>;
let api: ReturnType<typeof makeNotifications>;
const published: { topic: string; subject: string; message: string }[] = [];
const topics = { warehouse: 'arn:aws:sns:us-east-1:000000000000:wh', 'customer-service': 'arn:aws:sns:us-east-1:000000000000:cs' };

beforeAll(async () => {
  table = await createTestTable(inject('dynamoUrl'));
  const repo = notificationRepository({ doc: table.doc, tableName: table.tableName });
  notify = makeNotify({
    notifications: repo,
    topics,
    publish: async (topic, messages) => messages.map(({ subject, message }) => void published.push({ topic, subject, message })),
    now: () => new Date(),
    settingsTtlMs: 0,
  });
  api = makeNotifications({ notifications: repo, now: () => new Date('2026-11-27T04:00:00.000Z') });
});
afterAll(() => table?.drop());

const delivery = (detailType: string, eventId: string, data: Record<string, unknown>, source = 'oms.orders'): SQSEvent => ({
  Records: [
    {
      messageId: `m-${eventId}-${Math.random()}`,
      receiptHandle: 'rh',
      body: JSON.stringify({
        id: `bus-${eventId}`, 'detail-type': detailType, source,
        detail: { metadata: { eventId, occurredAt: '2026-11-27T03:59:00.000Z', correlationId: 'c', causationId: 'c', schemaVersion: 1 }, data },
      }),
      attributes: {} as never, messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:oms-test-notifications', awsRegion: 'us-east-1',
    },
  ],
});
const list = (department: string, claims: Record<string, string | string[]> = TOKENS.cs, extra: Record<string, string> = {}) =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read loosely in tests
  call<Record<string, any>>(api, { routeKey: 'GET /notifications', query: { department, ...extra }, claims });

describe('department notifications', () => {
  it('records and publishes a rejection for customer service, once even when redelivered', async () => {
    const event = delivery('OrderRejected', 'evt-rej-1', { orderId: 'O1', orderNumber: 'W20261127-0001', reason: 'Out of stock: TEA' });
    expect((await notify(event, lambdaContext)).batchItemFailures).toEqual([]);
    expect((await notify(event, lambdaContext)).batchItemFailures).toEqual([]);
    const sent = published.filter((p) => p.subject.includes('W20261127-0001'));
    expect(sent).toEqual([{ topic: topics['customer-service'], subject: '[OMS] Order rejected: W20261127-0001', message: expect.stringContaining('reason: Out of stock: TEA') }]);
    const res = await list('customer-service');
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      expect.objectContaining({ department: 'customer-service', detailType: 'OrderRejected', eventId: 'evt-rej-1', subject: '[OMS] Order rejected: W20261127-0001', publishedAt: expect.any(String) }),
    ]);
    expect((await list('warehouse')).body.items).toEqual([]);
  });

  it('routes stock events to the warehouse, newest first, page by page; events nobody listens to are dropped', async () => {
    for (const i of [1, 2, 3]) {
      await notify(delivery('StockLow', `evt-low-${i}`, { sku: `SKU-${i}`, available: 1, reorderPoint: 5 }, 'oms.inventory'), lambdaContext);
    }
    await notify(delivery('StockReserved', 'evt-res', { orderId: 'O2' }), lambdaContext);
    const first = await list('warehouse', TOKENS.ops, { limit: '2' });
    expect(first.body.items).toHaveLength(2);
    const second = await list('warehouse', TOKENS.ops, { limit: '2', cursor: first.body.nextCursor });
    expect([...first.body.items, ...second.body.items].map((n: { eventId: string }) => n.eventId).sort()).toEqual(['evt-low-1', 'evt-low-2', 'evt-low-3']);
    expect(published.some((p) => p.subject.includes('Stock reserved'))).toBe(false);
  });

  it('a department added in the settings is notified without new code (recorded; no topic in this stage)', async () => {
    const current = await call(api, { routeKey: 'GET /settings/notifications', claims: TOKENS.admin });
    expect(current.body).toMatchObject({ version: 1 });
    const departments = { ...DEFAULT_NOTIFICATION_SETTINGS.departments, sales: { name: 'Sales', events: ['OrderApproved'] } };
    const saved = await call(api, { routeKey: 'PUT /settings/notifications', body: { departments, version: 1 }, claims: TOKENS.admin });
    expect(saved.status).toBe(200);
    expect(saved.headers.etag).toBe('"2"');
    expect(saved.body).toMatchObject({ version: 2, updatedBy: `admin:${TOKENS.admin.sub}` });
    await notify(delivery('OrderApproved', 'evt-appr-1', { orderId: 'O3', orderNumber: 'W20261127-0003' }), lambdaContext);
    expect((await list('sales')).body.items).toEqual([expect.objectContaining({ eventId: 'evt-appr-1' })]);
    expect((await list('warehouse')).body.items).toContainEqual(expect.objectContaining({ eventId: 'evt-appr-1', publishedAt: expect.any(String) }));
  });

  it('settings: core departments cannot be removed, only admins may change them, and a stale version is 409', async () => {
    const { warehouse: _gone, ...rest } = DEFAULT_NOTIFICATION_SETTINGS.departments;
    const bad = await call(api, { routeKey: 'PUT /settings/notifications', body: { departments: rest, version: 2 }, claims: TOKENS.admin });
    expect(bad.status).toBe(400);
    const unversioned = await call(api, { routeKey: 'PUT /settings/notifications', body: { departments: DEFAULT_NOTIFICATION_SETTINGS.departments }, claims: TOKENS.admin });
    expect(unversioned.status).toBe(400);
    const stale = await call(api, { routeKey: 'PUT /settings/notifications', body: { departments: DEFAULT_NOTIFICATION_SETTINGS.departments }, headers: { 'if-match': '"1"' }, claims: TOKENS.admin });
    expect(stale.status).toBe(409);
    const forbidden = await call(api, { routeKey: 'PUT /settings/notifications', body: { departments: DEFAULT_NOTIFICATION_SETTINGS.departments }, claims: TOKENS.ops });
    expect(forbidden.status).toBe(403);
    const repo = notificationRepository({ doc: table.doc, tableName: table.tableName });
    const current = await repo.settings();
    await expect(repo.saveSettings({ ...current, version: current.version })).rejects.toMatchObject({ status: 409 });
  });

  it('storefronts cannot read notifications', async () => {
    expect((await list('warehouse', TOKENS.storefront)).status).toBe(403);
  });
});
