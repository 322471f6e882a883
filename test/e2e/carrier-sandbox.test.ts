import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { apiUrl } from './client';

// The carrier sandbox in the running local cloud, over HTTP only: a sandbox waybill is
// booked, its checkpoints go to the gateway's /webhooks/carriers/kuaidi100 signed with
// the local stage's salt, a callback is replayed twice and an older one resent after the
// newest. What the receiving route answered is asserted: the tracking receiver's reply
// when the template has the route, the gateway's 404 while it has not.

const jsonOf = async (res: Response) => (await res.json()) as any;
const post = (path: string, body: unknown) => fetch(`${apiUrl()}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('carrier sandbox (local cloud)', () => {
  it('books a waybill, sends signed Kuaidi100 callbacks, replays and reorders them', async () => {
    const salt = inject('providers').kuaidi100.salt;
    const reference = `shp_e2e_${Date.now()}`;
    const booking = { reference, parcel: { lines: [{ sku: 'SKU-1', quantity: 1 }] }, to: { name: 'Li Lei', line1: '1 Main St', city: '上海市', postalCode: '200001', country: 'CN' } };
    const booked = await post('/_sandbox/carriers/sandbox/waybills', booking);
    expect(booked.status).toBe(201);
    const waybill = await jsonOf(booked);
    expect(waybill.trackingNumber).toMatch(/^SB\d{12}$/);
    const again = await post('/_sandbox/carriers/sandbox/waybills', booking);
    expect(again.status).toBe(200);
    expect(await jsonOf(again)).toEqual(waybill);

    const tn = waybill.trackingNumber as string;
    const events = [
      { status: 'PICKED_UP', at: '2026-12-01T01:00:00Z', location: '上海市' },
      { status: 'IN_TRANSIT', at: '2026-12-01T06:00:00Z', location: '杭州市' },
      { status: 'DELIVERED', at: '2026-12-02T02:00:00Z', location: '杭州市' },
    ];
    for (const e of events) expect((await post(`/_local/sandbox/carriers/${tn}/events`, e)).status).toBe(201);
    expect((await post(`/_local/sandbox/carriers/${tn}/replay`, { index: 3, times: 2 })).status).toBe(200);
    expect((await post(`/_local/sandbox/carriers/${tn}/stale`, {})).status).toBe(200);

    const parcel = await jsonOf(await fetch(`${apiUrl()}/_local/sandbox/carriers/${tn}`));
    expect(parcel).toMatchObject({ trackingNumber: tn, bookedWith: 'sandbox', notifyVia: 'kuaidi100', reference });
    expect(parcel.callbacks.map((c: any) => [c.n, c.via, c.status, c.deliveries.filter((d: any) => d.trigger !== 'retry').map((d: any) => d.trigger)])).toEqual([
      [1, 'kuaidi100', 'PICKED_UP', ['event']],
      [2, 'kuaidi100', 'IN_TRANSIT', ['event', 'stale']],
      [3, 'kuaidi100', 'DELIVERED', ['event', 'replay', 'replay']],
    ]);
    for (const cb of parcel.callbacks) {
      expect(cb.url).toBe(`${apiUrl()}/webhooks/carriers/kuaidi100`);
      const form = new URLSearchParams(cb.body);
      const param = form.get('param')!;
      expect(form.get('sign')).toBe(createHash('md5').update(param + salt, 'utf8').digest('hex').toUpperCase());
      expect(JSON.parse(param).lastResult.data).toHaveLength(cb.n);
    }
    expect(JSON.parse(new URLSearchParams(parcel.callbacks[2].body).get('param')!).lastResult).toMatchObject({
      nu: tn, state: '3', ischeck: '1', data: [expect.objectContaining({ context: '【杭州市】快件已签收' }), expect.anything(), expect.objectContaining({ context: '【上海市】快件已揽收' })],
    });

    // what the receiving route answered, every time
    const resources = await jsonOf(await fetch(`${apiUrl()}/_local/resources`));
    const receiving = resources.routes.some((r: any) => /^POST \/webhooks\/carriers\//.test(r.routeKey));
    const answers = parcel.callbacks.flatMap((c: any) => c.deliveries.filter((d: any) => d.trigger !== 'retry'));
    expect(answers).toHaveLength(6);
    for (const d of answers) {
      if (receiving) {
        expect(d.status).toBe(200);
        expect(JSON.parse(d.answer)).toEqual({ result: true, returnCode: '200', message: '成功' });
      } else {
        expect(d.status).toBe(404);
      }
    }
  });

  it('refuses a malformed drive with 400 and an unknown parcel with 404', async () => {
    expect((await post('/_local/sandbox/carriers/SB000/events', { status: 'SHIPPED' })).status).toBe(400);
    expect((await fetch(`${apiUrl()}/_local/sandbox/carriers/NOPE-1`)).status).toBe(404);
  });
});
