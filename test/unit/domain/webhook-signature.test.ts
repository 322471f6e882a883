import { describe, expect, it } from 'vitest';
import { deliveryHeaders } from '../../../shared/domain/webhook-signature';
import { verifyDelivery } from '../../../scripts/partner';

// The sender signs with node's HMAC; the partner (scripts/partner.ts) verifies with its
// own WebCrypto code written from the README's description. They must agree.

const NOW = new Date('2026-11-27T08:00:00.000Z');
const body = JSON.stringify({ id: '01KB2Y8Z190000000000000000', type: 'OrderPaid', data: { orderNumber: 'W20261127-0042' } });
const NEW = 'whsec_new_secret_0123456789abcdef';
const OLD = 'whsec_old_secret_0123456789abcdef';

const sent = (secrets: string[], at = NOW) => {
  const h = deliveryHeaders({ eventId: '01KB2Y8Z190000000000000000', detailType: 'OrderPaid' }, secrets, at, body);
  return { timestamp: h['x-oms-timestamp'], signature: h['x-oms-signature'] };
};

describe('webhook signatures', () => {
  it('verify with the documented algorithm', async () => {
    const h = sent([NEW]);
    expect(h.timestamp).toBe(String(NOW.getTime() / 1000));
    expect(h.signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(await verifyDelivery(h, body, [NEW], NOW)).toEqual({ ok: true });
  });

  it('carry both secrets while rotating: a partner holding either one accepts', async () => {
    const h = sent([NEW, OLD]);
    expect(h.signature).toMatch(/^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
    expect(await verifyDelivery(h, body, [OLD], NOW)).toEqual({ ok: true });
    expect(await verifyDelivery(h, body, [NEW], NOW)).toEqual({ ok: true });
  });

  it('fail for another secret, a changed body, a changed timestamp or a stale one', async () => {
    const h = sent([NEW]);
    expect(await verifyDelivery(h, body, ['whsec_someone_else_0123456789ab'], NOW)).toEqual({ ok: false, why: 'no signature matches' });
    expect(await verifyDelivery(h, body.replace('0042', '0043'), [NEW], NOW)).toEqual({ ok: false, why: 'no signature matches' });
    expect(await verifyDelivery({ ...h, timestamp: String(Number(h.timestamp) + 1) }, body, [NEW], NOW)).toEqual({ ok: false, why: 'no signature matches' });
    expect(await verifyDelivery(h, body, [NEW], new Date(NOW.getTime() + 301_000))).toEqual({ ok: false, why: 'stale timestamp' });
  });
});
