import { afterAll, describe, expect, it } from 'vitest';
import { carrierCredentialsLoader } from '../../../shared/shipping/credentials';
import { easypostCarrier, lowestRate } from '../../../shared/shipping/carriers/easypost';
import { kuaidi100Subscriber } from '../../../shared/shipping/carriers/kuaidi100';
import { carrierRegistry } from '../../../shared/shipping/carriers/registry';
import { notifyProviderOf, sandboxCarrier } from '../../../shared/shipping/carriers/sandbox';
import type { WaybillInput } from '../../../shared/shipping/port';
import { fakeProvider, type FakeReply, type RecordedRequest } from '../../support/providers';

// Each waybill carrier over real HTTP against a tiny server standing in for the carrier:
// what it sends (auth, body) and what it makes of the answers.

const input: WaybillInput = {
  shipmentId: 'shp-01J0ABC',
  orderNumber: 'ORD-1001',
  idempotencyKey: 'shipment:shp-01J0ABC',
  parcel: { lines: [{ sku: 'SKU-1', quantity: 2 }] },
  to: { name: '王小明', phone: '13800000000', line1: '南京东路 100 号', city: '上海市', region: 'SH', postalCode: '200001', country: 'CN' },
  notifyUrl: 'https://api.example.com/webhooks/carriers/aftership',
};

const servers: { close: () => Promise<void> }[] = [];
afterAll(() => Promise.all(servers.map((s) => s.close())));
async function serve(answer: (req: RecordedRequest) => FakeReply) {
  const s = await fakeProvider(answer);
  servers.push(s);
  return s;
}

describe('sandbox carrier', () => {
  it('books a waybill with the shipment id as reference and the notify URL\'s provider', async () => {
    const server = await serve(() => ({
      status: 201,
      body: JSON.stringify({ trackingNumber: 'SB123456789012', providerRef: 'sbx_1', labelUrl: 'http://x/labels/SB1', estimatedDelivery: '2026-12-04' }),
    }));
    const result = await sandboxCarrier({ baseUrl: `${server.url}/` }).createWaybill(input);
    expect(result).toEqual({ trackingNumber: 'SB123456789012', providerRef: 'sbx_1', labelUrl: 'http://x/labels/SB1', estimatedDelivery: '2026-12-04' });
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'POST', url: '/waybills' });
    expect(req!.headers['idempotency-key']).toBe('shipment:shp-01J0ABC');
    expect(JSON.parse(req!.body)).toEqual({ reference: 'shp-01J0ABC', parcel: input.parcel, to: input.to, notifyVia: 'aftership' });
  });

  it('names no provider for a notify URL that is not a carrier webhook, and fails on a refused booking', async () => {
    expect(notifyProviderOf('https://api.example.com/webhooks/carriers/17track/')).toBe('17track');
    expect(notifyProviderOf('https://api.example.com/webhooks/carriers/sandbox')).toBeUndefined();
    const server = await serve(() => ({ status: 400, body: '{"message":"bad"}' }));
    await expect(sandboxCarrier({ baseUrl: server.url }).createWaybill(input)).rejects.toThrow(/answered 400/);
  });
});

describe('EasyPost carrier', () => {
  const apiKey = 'EZTK_test_key';
  const bought = {
    id: 'shp_abc', object: 'Shipment', tracking_code: '9400100000000000000000',
    tracker: { id: 'trk_123', est_delivery_date: '2026-12-05T00:00:00Z' }, postage_label: { label_url: 'https://easypost-files.s3/label.png' },
  };

  it('creates a shipment with Basic auth, buys its lowest rate and answers the tracking code and tracker', async () => {
    const server = await serve((req) =>
      req.url === '/v2/shipments'
        ? { status: 201, body: JSON.stringify({ id: 'shp_abc', rates: [{ id: 'rate_b', rate: '12.10' }, { id: 'rate_a', rate: '7.58' }, { id: 'rate_c', rate: '9.00' }] }) }
        : { body: JSON.stringify(bought) },
    );
    const carrier = easypostCarrier({ baseUrl: server.url, credentials: { apiKey }, fromAddressId: 'adr_from' });
    expect(await carrier.createWaybill(input)).toEqual({
      trackingNumber: '9400100000000000000000', providerRef: 'trk_123', labelUrl: 'https://easypost-files.s3/label.png', estimatedDelivery: '2026-12-05',
    });
    const [create, buy] = server.requests;
    for (const r of [create!, buy!]) {
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`);
      expect(r.headers['content-type']).toBe('application/json');
    }
    const body = JSON.parse(create!.body);
    expect(body.shipment).toMatchObject({
      reference: 'shp-01J0ABC',
      to_address: { name: '王小明', street1: '南京东路 100 号', city: '上海市', state: 'SH', zip: '200001', country: 'CN', phone: '13800000000' },
      from_address: { id: 'adr_from' },
      parcel: { weight: 16 },
    });
    expect(buy).toMatchObject({ method: 'POST', url: '/v2/shipments/shp_abc/buy' });
    expect(JSON.parse(buy!.body)).toEqual({ rate: { id: 'rate_a' } });
  });

  it('fails clearly when EasyPost refuses, or offers no rate', async () => {
    const refused = await serve(() => ({ status: 401, body: '{"error":{"code":"APIKEY.INACTIVE","message":"no"}}' }));
    await expect(easypostCarrier({ baseUrl: refused.url, credentials: { apiKey } }).createWaybill(input)).rejects.toThrow(/answered 401/);
    const noRates = await serve(() => ({ status: 201, body: '{"id":"shp_x","rates":[]}' }));
    await expect(easypostCarrier({ baseUrl: noRates.url, credentials: { apiKey } }).createWaybill(input)).rejects.toThrow(/no rates/);
    expect(lowestRate([{ rate: '10.5' }, { rate: '9.99' }])).toEqual({ rate: '9.99' });
  });
});

describe('Kuaidi100 subscription', () => {
  const credentials = { key: 'kd100key', customer: 'CUST01', salt: 'salt-123' };

  it('posts schema=json and the param with our key, callback URL and salt', async () => {
    const server = await serve(() => ({ body: '{"result":true,"returnCode":"200","message":"提交成功"}' }));
    const subscriber = kuaidi100Subscriber({ baseUrl: server.url, credentials });
    const answer = await subscriber.subscribe({ trackingNumber: 'SF1234567890', company: 'shunfeng', notifyUrl: 'https://api.example.com/webhooks/carriers/kuaidi100', phone: '13800000000' });
    expect(answer).toEqual({ alreadySubscribed: false });
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'POST', url: '/poll' });
    expect(req!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(req!.body);
    expect(form.get('schema')).toBe('json');
    expect(JSON.parse(form.get('param')!)).toEqual({
      company: 'shunfeng', number: 'SF1234567890', key: 'kd100key',
      parameters: { callbackurl: 'https://api.example.com/webhooks/carriers/kuaidi100', salt: 'salt-123', resultv2: '1', phone: '13800000000' },
    });
  });

  it('takes 重复订阅 as already subscribed and anything else refused as an error', async () => {
    const dup = await serve(() => ({ body: '{"result":false,"returnCode":"501","message":"重复订阅"}' }));
    expect(await kuaidi100Subscriber({ baseUrl: dup.url, credentials }).subscribe({ trackingNumber: 'n', company: 'ems', notifyUrl: 'https://x/y' }))
      .toEqual({ alreadySubscribed: true });
    const bad = await serve(() => ({ body: '{"result":false,"returnCode":"600","message":"您不是合法的订阅者"}' }));
    await expect(kuaidi100Subscriber({ baseUrl: bad.url, credentials }).subscribe({ trackingNumber: 'n', company: 'ems', notifyUrl: 'https://x/y' }))
      .rejects.toThrow(/600/);
  });
});

describe('carrier registry', () => {
  const secrets: Record<string, unknown> = {
    'arn:easypost': JSON.stringify({ apiKey: 'EZ_registry', webhookSecret: 'whs' }),
    'arn:kuaidi100': { key: 'k', customer: 'c', salt: 's' },
  };
  const read = async (id: string) => secrets[id];

  it('books with EasyPost and, where CARRIER_SANDBOX_URL is set, the sandbox; nothing else books', () => {
    const local = carrierRegistry({ CARRIER_SANDBOX_URL: 'http://localhost:3000/_sandbox/carriers/sandbox', EASYPOST_SECRET_ARN: 'arn:easypost' }, read);
    expect(local.waybillCarrierFor('sandbox')?.carrier).toBe('sandbox');
    expect(local.waybillCarrierFor('easypost')?.carrier).toBe('easypost');
    for (const c of ['aftership', '17track', 'kuaidi100'] as const) expect(local.waybillCarrierFor(c)).toBeUndefined();
    expect(carrierRegistry({}, read).waybillCarrierFor('sandbox')).toBeUndefined();
  });

  it('reads the EasyPost key from its secret on first use, against the configured base URL', async () => {
    let auth = '';
    const server = await serve((req) => {
      auth = String(req.headers.authorization);
      return req.url === '/v2/shipments'
        ? { status: 201, body: '{"id":"shp_r","rates":[{"id":"rate_r","rate":"1.00"}]}' }
        : { body: '{"id":"shp_r","tracking_code":"EZ1000000001","tracker":{"id":"trk_r"}}' };
    });
    const registry = carrierRegistry({ EASYPOST_API_URL: server.url, EASYPOST_SECRET_ARN: 'arn:easypost' }, read);
    expect((await registry.waybillCarrierFor('easypost')!.createWaybill(input)).trackingNumber).toBe('EZ1000000001');
    expect(auth).toBe(`Basic ${Buffer.from('EZ_registry:').toString('base64')}`);
  });

  it('names only the missing fields of a malformed secret, never its values', async () => {
    const load = carrierCredentialsLoader('kuaidi100', 'arn:bad', async () => ({ key: 'secret-value-123' }));
    const err = await load().catch((e: Error) => e);
    expect(String(err)).toMatch(/customer, salt/);
    expect(String(err)).not.toContain('secret-value-123');
    await expect(carrierCredentialsLoader('easypost', undefined)()).rejects.toThrow(/EASYPOST_SECRET_ARN is not set/);
  });
});

