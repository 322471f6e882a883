import EasyPost from '@easypost/api';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CarrierSandbox, withCarrierSandboxUrls } from '../../../infra/local/carrier-sandbox';
import { generateProviderCredentials } from '../../../infra/local/handshake';
import { easypostCarrier } from '../../../shared/shipping/carriers/easypost';
import { kuaidi100Subscriber } from '../../../shared/shipping/carriers/kuaidi100';
import { sandboxCarrier } from '../../../shared/shipping/carriers/sandbox';
import type { WaybillInput } from '../../../shared/shipping/port';

// The carrier sandbox as the adapters and a callback receiver meet it. Every callback is
// checked INDEPENDENTLY of our verifiers: node:crypto per each provider's documented
// algorithm, and EasyPost's own Utils.validateWebhook.

const creds = generateProviderCredentials();
const dir = mkdtempSync(join(tmpdir(), 'oms-carrier-sandbox-'));
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const received: Received[] = [];
let refuseNext = 0;
let server: Server;
let url = '';
let sandbox: CarrierSandbox;

beforeAll(async () => {
  sandbox = new CarrierSandbox({ credentials: creds, apiUrl: () => url, dataDir: dir, log: () => {}, retryDelaysMs: [20, 20] });
  server = createServer((req, res) => {
    if (sandbox.control(req, res) || sandbox.handle(req, res)) return;
    // the gateway's carrier webhooks, standing in for the receiver
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (refuseNext > 0) {
        refuseNext--;
        res.writeHead(503).end('busy');
      } else if (req.url?.endsWith('/kuaidi100')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":true,"returnCode":"200","message":"成功"}');
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  sandbox.stop();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const control = (path: string, body?: unknown) =>
  fetch(`${url}/_local/sandbox/carriers${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const send = async (trackingNumber: string, body: unknown) => {
  const res = await control(`/${trackingNumber}/events`, body);
  return { status: res.status, cb: (await res.json()) as any };
};
const lastReceived = () => received[received.length - 1]!;

const input = (shipmentId: string, notifyVia = 'aftership'): WaybillInput => ({
  shipmentId,
  orderNumber: 'ORD-7',
  idempotencyKey: `shipment:${shipmentId}`,
  parcel: { lines: [{ sku: 'SKU-1', quantity: 1 }] },
  to: { name: 'Li Lei', line1: '1 Main St', city: 'Shanghai', postalCode: '200001', country: 'CN' },
  notifyUrl: `https://api.example.com/webhooks/carriers/${notifyVia}`,
});

describe('carrier sandbox wiring', () => {
  it('points the carrier base URLs of shipping functions at the sandbox and leaves other functions alone', () => {
    const api = 'http://localhost:4321';
    expect(withCarrierSandboxUrls({ EASYPOST_SECRET_ARN: 'arn', TABLE_NAME: 't' }, api)).toEqual({
      EASYPOST_SECRET_ARN: 'arn', TABLE_NAME: 't',
      EASYPOST_API_URL: `${api}/_sandbox/carriers/easypost`,
      KUAIDI100_API_URL: `${api}/_sandbox/carriers/kuaidi100`,
      CARRIER_SANDBOX_URL: `${api}/_sandbox/carriers/sandbox`,
    });
    expect(withCarrierSandboxUrls({ TABLE_NAME: 't' }, api)).toEqual({ TABLE_NAME: 't' });
  });
});

describe('carrier sandbox APIs, through our adapters', () => {
  it('books a sandbox waybill once per reference, with an SB tracking number', async () => {
    const carrier = sandboxCarrier({ baseUrl: `${url}/_sandbox/carriers/sandbox` });
    const first = await carrier.createWaybill(input('shp-a'));
    expect(first.trackingNumber).toMatch(/^SB\d{12}$/);
    expect(first.estimatedDelivery).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(await carrier.createWaybill(input('shp-a'))).toEqual(first);
    expect((await carrier.createWaybill(input('shp-b'))).trackingNumber).not.toBe(first.trackingNumber);
    expect((await fetch(first.labelUrl!)).status).toBe(200);
    const bad = await fetch(`${url}/_sandbox/carriers/sandbox/waybills`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"reference":""}' });
    expect(bad.status).toBe(400);
  });

  it('serves EasyPost shipments and buys to the adapter with the local API key, and refuses another key', async () => {
    const result = await easypostCarrier({ baseUrl: `${url}/_sandbox/carriers/easypost`, credentials: { apiKey: creds.easypost.apiKey } }).createWaybill(input('shp-ez'));
    expect(result.trackingNumber).toMatch(/^EZ\d{10}$/);
    expect(result.providerRef).toMatch(/^trk_/);
    await expect(easypostCarrier({ baseUrl: `${url}/_sandbox/carriers/easypost`, credentials: { apiKey: 'EZTK_wrong' } }).createWaybill(input('shp-ez2')))
      .rejects.toThrow(/answered 401/);
    expect(sandbox.parcel(result.trackingNumber)).toMatchObject({ bookedWith: 'easypost', notifyVia: 'easypost', trackerId: result.providerRef });
  });

  it('takes a Kuaidi100 subscription with the local key once, then answers 重复订阅', async () => {
    const subscriber = kuaidi100Subscriber({ baseUrl: `${url}/_sandbox/carriers/kuaidi100`, credentials: { key: creds.kuaidi100.key, customer: creds.kuaidi100.customer, salt: creds.kuaidi100.salt } });
    const sub = { trackingNumber: 'SF1400000001', company: 'shunfeng', notifyUrl: `${url}/webhooks/carriers/kuaidi100` };
    expect(await subscriber.subscribe(sub)).toEqual({ alreadySubscribed: false });
    expect(await subscriber.subscribe(sub)).toEqual({ alreadySubscribed: true });
    const stranger = kuaidi100Subscriber({ baseUrl: `${url}/_sandbox/carriers/kuaidi100`, credentials: { key: 'nope', customer: 'c', salt: 's' } });
    await expect(stranger.subscribe({ ...sub, trackingNumber: 'SF1400000002' })).rejects.toThrow(/600/);
  });
});

describe('callbacks in each provider\'s real format, verified independently', () => {
  it('AfterShip: tracking_update with every checkpoint, base64 HMAC-SHA256 of the body', async () => {
    const tn = (await sandboxCarrier({ baseUrl: `${url}/_sandbox/carriers/sandbox` }).createWaybill(input('shp-as', 'aftership'))).trackingNumber;
    await send(tn, { status: 'PICKED_UP', at: '2026-12-01T01:00:00Z', location: 'Shanghai' });
    const { status, cb } = await send(tn, { status: 'IN_TRANSIT', at: '2026-12-01T05:00:00Z' });
    expect(status).toBe(201);
    const got = lastReceived();
    expect(got.path).toBe('/webhooks/carriers/aftership');
    expect(got.body).toBe(cb.body);
    expect(got.headers['aftership-hmac-sha256']).toBe(createHmac('sha256', creds.aftership.webhookSecret).update(got.body, 'utf8').digest('base64'));
    const event = JSON.parse(got.body);
    expect(event).toMatchObject({ event: 'tracking_update', msg: { tracking_number: tn, tag: 'InTransit' } });
    expect(event.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.msg.checkpoints.map((c: any) => [c.checkpoint_time, c.tag])).toEqual([
      ['2026-12-01T01:00:00.000Z', 'InTransit'], ['2026-12-01T05:00:00.000Z', 'InTransit'],
    ]);
    expect(cb.deliveries).toEqual([expect.objectContaining({ trigger: 'event', status: 200 })]);
  });

  it('EasyPost: tracker.updated Event with tracking_details so far, which validateWebhook accepts', async () => {
    const booked = await easypostCarrier({ baseUrl: `${url}/_sandbox/carriers/easypost`, credentials: { apiKey: creds.easypost.apiKey } }).createWaybill(input('shp-ez3'));
    await send(booked.trackingNumber, { status: 'IN_TRANSIT', at: '2026-12-01T01:00:00Z' });
    await send(booked.trackingNumber, { status: 'DELIVERED', at: '2026-12-02T01:00:00Z', location: 'Springfield' });
    const got = lastReceived();
    expect(got.path).toBe('/webhooks/carriers/easypost');
    const event = new EasyPost('EZTK_unused').Utils.validateWebhook(Buffer.from(got.body), got.headers as Record<string, string>, creds.easypost.webhookSecret) as any;
    expect(event).toMatchObject({ object: 'Event', description: 'tracker.updated', previous_attributes: { status: 'in_transit' } });
    expect(event.id).toMatch(/^evt_/);
    expect(event.result).toMatchObject({ id: booked.providerRef, object: 'Tracker', tracking_code: booked.trackingNumber, status: 'delivered' });
    expect(event.result.tracking_details.map((d: any) => d.status)).toEqual(['in_transit', 'delivered']);
    expect(() => new EasyPost('EZTK_unused').Utils.validateWebhook(Buffer.from(got.body), got.headers as Record<string, string>, 'another secret')).toThrow();
  });

  it('Kuaidi100: form param + sign (uppercase MD5 of param + salt), the full history newest first, 中文 kept', async () => {
    await send('SF1400000001', { status: 'PICKED_UP', at: '2026-12-01T01:00:00Z', location: '上海市' });
    const { cb } = await send('SF1400000001', { status: 'DELIVERED', at: '2026-12-02T03:00:00Z', description: '【北京市】已签收，签收人：本人' });
    const got = lastReceived();
    expect(got.path).toBe('/webhooks/carriers/kuaidi100');
    expect(got.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(got.body);
    const param = form.get('param')!;
    expect(form.get('sign')).toBe(createHash('md5').update(param + creds.kuaidi100.salt, 'utf8').digest('hex').toUpperCase());
    const p = JSON.parse(param);
    expect(p).toMatchObject({ status: 'shutdown', lastResult: { nu: 'SF1400000001', com: 'shunfeng', state: '3', ischeck: '1' } });
    expect(p.lastResult.data.map((d: any) => [d.ftime, d.context])).toEqual([
      ['2026-12-02 11:00:00', '【北京市】已签收，签收人：本人'],
      ['2026-12-01 09:00:00', '【上海市】快件已揽收'],
    ]);
    expect(cb.deliveries[0]).toMatchObject({ status: 200, answer: '{"result":true,"returnCode":"200","message":"成功"}' });
  });

  it('Kuaidi100 by default for a number the sandbox does not know; a status it has no state for is refused', async () => {
    const { cb } = await send('YT9000000001', { status: 'IN_TRANSIT' });
    expect(cb.via).toBe('kuaidi100');
    expect((await send('YT9000000001', { status: 'LABEL_CREATED' })).status).toBe(422);
    expect((await send('YT9000000001', { status: 'LOST' })).status).toBe(400);
    expect(sandbox.parcel('YT9000000001').checkpoints).toHaveLength(1);
  });

  it('17TRACK: TRACKING_UPDATED, header sign = SHA-256 hex of body + "/" + key', async () => {
    await send('LX000000001CN', { status: 'OUT_FOR_DELIVERY', via: '17track', at: '2026-12-01T01:00:00Z' });
    const got = lastReceived();
    expect(got.path).toBe('/webhooks/carriers/17track');
    expect(got.headers.sign).toBe(createHash('sha256').update(`${got.body}/${creds['17track'].securityKey}`, 'utf8').digest('hex'));
    const body = JSON.parse(got.body);
    expect(body).toMatchObject({
      event: 'TRACKING_UPDATED',
      data: { number: 'LX000000001CN', track_info: { latest_status: { status: 'OutForDelivery' }, latest_event: { time_utc: '2026-12-01T01:00:00.000Z' } } },
    });
  });
});

describe('replays, duplicates and reordering', () => {
  it('replays a callback with the same bytes, sends the older one after the newest, and lists what was sent', async () => {
    const tn = 'SF1400000099';
    await send(tn, { status: 'IN_TRANSIT', at: '2026-12-01T01:00:00Z', via: 'aftership' });
    await send(tn, { status: 'DELIVERED', at: '2026-12-01T09:00:00Z', via: 'aftership' });
    const before = received.length;
    const replay = (await (await control(`/${tn}/replay`, { times: 2 })).json()) as any;
    expect(replay.n).toBe(2);
    const stale = (await (await control(`/${tn}/stale`, {})).json()) as any;
    expect(stale.n).toBe(1);
    const resent = received.slice(before);
    expect(resent.map((r) => r.body)).toEqual([replay.body, replay.body, stale.body]);
    expect(resent[0]!.headers['aftership-hmac-sha256']).toBe(replay.headers['aftership-hmac-sha256']);
    const listed = (await (await control(`/${tn}`)).json()) as any;
    expect(listed.callbacks.map((c: any) => [c.n, c.status, c.deliveries.map((d: any) => d.trigger)])).toEqual([
      [1, 'IN_TRANSIT', ['event', 'stale']],
      [2, 'DELIVERED', ['event', 'replay', 'replay']],
    ]);
    expect((await control('/UNKNOWN1/stale', {})).status).toBe(404);
    expect((await control(`/${tn}/replay`, { index: 9 })).status).toBe(404);
  });

  it('retries a first delivery the receiver did not acknowledge, but not a replay', async () => {
    refuseNext = 1;
    const { cb } = await send('SF1400000098', { status: 'IN_TRANSIT', via: '17track' });
    expect(cb.deliveries[0].status).toBe(503);
    await expect.poll(() => sandbox.parcel('SF1400000098').callbacks[0]!.deliveries.map((d) => [d.trigger, d.status]), { timeout: 3000 })
      .toEqual([['event', 503], ['retry', 200]]);
    refuseNext = 1;
    await control('/SF1400000098/replay', {});
    await new Promise((r) => setTimeout(r, 100));
    expect(sandbox.parcel('SF1400000098').callbacks[0]!.deliveries.map((d) => d.status)).toEqual([503, 200, 503]);
  });

  it('keeps parcels and callbacks in the data folder across a restart', () => {
    const again = new CarrierSandbox({ credentials: creds, apiUrl: () => url, dataDir: dir, log: () => {} });
    expect(again.parcel('SF1400000099').callbacks).toHaveLength(2);
    again.stop();
  });
});
