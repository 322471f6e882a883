import EasyPost from '@easypost/api';
import { describe, expect, it } from 'vitest';
import { trackingAdapters } from '../../../shared/shipping/registry';
import { carrierCredentialsLoader } from '../../../shared/shipping/credentials';
import { KUAIDI100_OK } from '../../../shared/shipping/providers/kuaidi100';
import { TrackingNotification, type TrackingProvider } from '../../../shared/shipping/port';
import {
  aftershipCallback, aftershipPayload, carrierCredentials, easypostCallback, easypostPayload, kuaidi100Callback, kuaidi100Param,
  seventeentrackCallback, seventeentrackPayload, type SignedCallback,
} from '../../support/carriers';

// Each provider's callback signed as its documentation says (EasyPost's also checked by
// its own library), then verified and normalized by our adapters.

const ENV = { AFTERSHIP_SECRET_ARN: 'aftership', EASYPOST_SECRET_ARN: 'easypost', KUAIDI100_SECRET_ARN: 'kuaidi100', SEVENTEENTRACK_SECRET_ARN: '17track' };
const adapters = trackingAdapters(ENV, async (id) => JSON.stringify(carrierCredentials[id as TrackingProvider]));

async function receive(provider: TrackingProvider, cb: SignedCallback) {
  const adapter = adapters[provider];
  const verified = await adapter.verifyCallback({ headers: cb.headers, body: Buffer.from(cb.body, 'utf8'), receivedAt: new Date() });
  if (!verified.ok) return verified;
  return { ok: true as const, notifications: TrackingNotification.array().parse(adapter.normalize(verified.payload)) };
}

const tamper = (cb: SignedCallback, from: string, to: string): SignedCallback => ({ ...cb, body: cb.body.replace(from, to) });

describe('AfterShip', () => {
  const payload = aftershipPayload('3f645f5e-530b-4062-8695-db6a64420af8', '9361289676091361892011', 'OutForDelivery', [
    { time: '2026-11-29T08:52:54Z', tag: 'InTransit', message: 'Departed facility', location: 'Chicago, IL' },
    { time: '2026-11-30T07:10:00-06:00', tag: 'OutForDelivery', message: 'Out for delivery' },
  ]);

  it('verifies the base64 HMAC-SHA256 of the raw body and normalizes the tag, checkpoints and expected delivery', async () => {
    const r = await receive('aftership', aftershipCallback(payload));
    expect(r).toEqual({ ok: true, notifications: [{
      provider: 'aftership', eventKey: '3f645f5e-530b-4062-8695-db6a64420af8', trackingNumber: '9361289676091361892011', providerRef: 'as-trk-1',
      status: 'OUT_FOR_DELIVERY', occurredAt: '2026-11-30T07:10:00-06:00', estimatedDelivery: '2026-12-04', providerEventType: 'tracking_update/OutForDelivery',
      checkpoints: [
        { at: '2026-11-29T08:52:54Z', status: 'IN_TRANSIT', description: 'Departed facility', location: 'Chicago, IL' },
        { at: '2026-11-30T07:10:00-06:00', status: 'OUT_FOR_DELIVERY', description: 'Out for delivery' },
      ],
    }] });
  });

  it('refuses another secret, a tampered body and a missing header', async () => {
    expect(await receive('aftership', aftershipCallback(payload, 'someone-else'))).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await receive('aftership', tamper(aftershipCallback(payload), 'OutForDelivery', 'Delivered'))).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await receive('aftership', { ...aftershipCallback(payload), headers: {} })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('answers 200 when accepted', () => {
    expect(adapters.aftership.reply('accepted')).toMatchObject({ statusCode: 200 });
    expect(adapters.aftership.reply('rejected', 'bad-signature').statusCode).toBe(400);
  });
});

describe('EasyPost', () => {
  const payload = easypostPayload('evt_0001', 'EZ1000000001', 'delivered', [
    { at: '2026-11-29T10:00:00Z', status: 'in_transit', message: 'Arrived at USPS facility', city: 'Denver' },
    { at: '2026-11-30T16:20:00Z', status: 'delivered', message: 'Delivered, front door' },
  ]);

  it('verifies hmac-sha256-hex with the NFKD-normalized secret (as EasyPost\'s own library does) and normalizes the tracker', async () => {
    const cb = easypostCallback(payload);
    // EasyPost's own helper accepts the signature the test signed (and refuses it under another secret)
    expect(new EasyPost('test_key').Utils.validateWebhook(Buffer.from(cb.body), cb.headers, carrierCredentials.easypost.webhookSecret)).toMatchObject({ id: 'evt_0001' });
    expect(() => new EasyPost('test_key').Utils.validateWebhook(Buffer.from(cb.body), cb.headers, 'another-secret')).toThrow();
    const r = await receive('easypost', cb);
    expect(r).toMatchObject({ ok: true, notifications: [{
      provider: 'easypost', eventKey: 'evt_0001', trackingNumber: 'EZ1000000001', providerRef: 'trk_0123', status: 'DELIVERED',
      occurredAt: '2026-11-30T16:20:00Z', estimatedDelivery: '2026-12-03',
      checkpoints: [
        { at: '2026-11-29T10:00:00Z', status: 'IN_TRANSIT', description: 'Arrived at USPS facility', location: 'Denver, US' },
        { at: '2026-11-30T16:20:00Z', status: 'DELIVERED', description: 'Delivered, front door', location: 'US' },
      ],
    }] });
  });

  it('refuses the secret not normalized, a tampered body and a header without its prefix', async () => {
    const raw = 'ﬁre-secret-１２３';
    expect(raw.normalize('NFKD')).not.toBe(raw);
    const { createHmac } = await import('node:crypto');
    const unnormalized = createHmac('sha256', raw).update(JSON.stringify(payload)).digest('hex');
    expect(await receive('easypost', { body: JSON.stringify(payload), headers: { 'x-hmac-signature': `hmac-sha256-hex=${unnormalized}` } })).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await receive('easypost', tamper(easypostCallback(payload), 'delivered', 'failure'))).toMatchObject({ ok: false, reason: 'bad-signature' });
    const cb = easypostCallback(payload);
    expect(await receive('easypost', { ...cb, headers: { 'x-hmac-signature': cb.headers['x-hmac-signature']!.replace('hmac-sha256-hex=', '') } })).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('Kuaidi100', () => {
  const param = kuaidi100Param('SF1234567890', '3', [
    { ftime: '2026-11-30 14:05:00', context: '【深圳市】已签收，签收人：本人', status: '签收', areaName: '广东,深圳市' },
    { ftime: '2026-11-30 08:30:00', context: '【深圳市】快件交给小王，正在派送途中', status: '派件' },
    { ftime: '2026-11-29 21:10:00', context: '快件已发车', status: '在途' },
  ]);

  it('verifies uppercase MD5(param + salt) on the form and reads China time as +08:00', async () => {
    const r = await receive('kuaidi100', kuaidi100Callback(param));
    expect(r).toMatchObject({ ok: true, notifications: [{
      provider: 'kuaidi100', eventKey: 'SF1234567890|2026-11-30 14:05:00|3|3', trackingNumber: 'SF1234567890', status: 'DELIVERED',
      occurredAt: '2026-11-30T14:05:00+08:00',
      checkpoints: [
        { at: '2026-11-30T14:05:00+08:00', status: 'DELIVERED', description: '【深圳市】已签收，签收人：本人', location: '广东,深圳市' },
        { at: '2026-11-30T08:30:00+08:00', status: 'OUT_FOR_DELIVERY', description: '【深圳市】快件交给小王，正在派送途中' },
        { at: '2026-11-29T21:10:00+08:00', status: 'IN_TRANSIT', description: '快件已发车' },
      ],
    }] });
  });

  it('names a resent push as the same event, and a push adding a late older scan as a new one', async () => {
    const keyOf = async (p: typeof param) => ((await receive('kuaidi100', kuaidi100Callback(p))) as { notifications: { eventKey: string }[] }).notifications[0]!.eventKey;
    const again = await keyOf(param);
    expect(again).toBe(await keyOf(param));
    const late = { ...param, lastResult: { ...param.lastResult, data: [...param.lastResult.data, { time: '2026-11-29 18:00:00', ftime: '2026-11-29 18:00:00', context: '快件已揽收', status: '揽收' }] } };
    expect(await keyOf(late)).not.toBe(again);
  });

  it('refuses another salt, a tampered param and a form without sign', async () => {
    expect(await receive('kuaidi100', kuaidi100Callback(param, 'otherSalt'))).toMatchObject({ ok: false, reason: 'bad-signature' });
    const cb = kuaidi100Callback(param);
    expect(await receive('kuaidi100', tamper(cb, encodeURIComponent('本人').slice(0, 9), encodeURIComponent('他人').slice(0, 9)))).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await receive('kuaidi100', { ...cb, body: cb.body.replace(/&sign=.*$/, '') })).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('answers exactly the JSON Kuaidi100 reads as success, and result false otherwise', () => {
    expect(adapters.kuaidi100.reply('accepted').body).toBe('{"result":true,"returnCode":"200","message":"成功"}');
    expect(KUAIDI100_OK).toBe('{"result":true,"returnCode":"200","message":"成功"}');
    expect(JSON.parse(adapters.kuaidi100.reply('rejected', 'bad-signature').body)).toEqual({ result: false, returnCode: '500', message: 'bad-signature' });
  });

  it('acts on nothing for an aborted subscription', async () => {
    expect(await receive('kuaidi100', kuaidi100Callback({ ...param, status: 'abort' }))).toEqual({ ok: true, notifications: [] });
  });
});

describe('17TRACK', () => {
  const payload = seventeentrackPayload('LX123456789CN', 'InTransit', [
    { timeUtc: '2026-11-29T12:00:00Z', description: 'Departed from sorting center', stage: 'InTransit', location: 'Guangzhou' },
    { timeUtc: '2026-11-28T09:00:00Z', description: 'Picked up', stage: 'PickedUp' },
  ]);

  it('verifies SHA-256 hex of raw body + "/" + key and keys the event by number, latest event time and status', async () => {
    const r = await receive('17track', seventeentrackCallback(payload));
    expect(r).toMatchObject({ ok: true, notifications: [{
      provider: '17track', eventKey: 'LX123456789CN|2026-11-29T12:00:00Z|InTransit', trackingNumber: 'LX123456789CN', status: 'IN_TRANSIT',
      occurredAt: '2026-11-29T12:00:00Z', estimatedDelivery: '2026-12-04',
      checkpoints: [
        { at: '2026-11-29T12:00:00Z', status: 'IN_TRANSIT', description: 'Departed from sorting center', location: 'Guangzhou' },
        { at: '2026-11-28T09:00:00Z', status: 'PICKED_UP', description: 'Picked up' },
      ],
    }] });
  });

  it('refuses another key and a tampered body; acts on nothing for TRACKING_STOPPED', async () => {
    expect(await receive('17track', seventeentrackCallback(payload, 'wrong'))).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await receive('17track', tamper(seventeentrackCallback(payload), 'InTransit', 'Delivered'))).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(await receive('17track', seventeentrackCallback({ ...payload, event: 'TRACKING_STOPPED' }))).toEqual({ ok: true, notifications: [] });
  });
});

describe('carrier credentials', () => {
  it('names the missing fields of a malformed secret, never its values, and reads again after a failure', async () => {
    let reads = 0;
    const load = carrierCredentialsLoader('kuaidi100', 'arn:kd', async () => {
      reads++;
      return reads === 1 ? JSON.stringify({ key: 'k-secret-value', salt: '' }) : JSON.stringify(carrierCredentials.kuaidi100);
    });
    const err = await load().catch((e: Error) => e);
    expect(String(err)).toMatch(/customer, salt/);
    expect(String(err)).not.toContain('k-secret-value');
    expect(await load()).toEqual(carrierCredentials.kuaidi100);
    expect(await load()).toEqual(carrierCredentials.kuaidi100);
    expect(reads).toBe(2);
  });
});
