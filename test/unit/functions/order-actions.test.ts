import { describe, expect, it } from 'vitest';
import { actorFor } from '../../../functions/order-actions/order-actions';
import { ifMatchVersion } from '../../../shared/middleware/if-match';
import { apiEvent } from '../../support/api-event';

describe('order actions: who acts, and which version', () => {
  it('a user acts in a role that may issue the command; a storefront client as itself', () => {
    expect(actorFor({ principal: 'u1', roles: ['cs', 'ops'] }, 'approve')).toEqual({ kind: 'user', id: 'u1', role: 'ops' });
    expect(actorFor({ principal: 'u1', roles: ['ops', 'cs'] }, 'cancel')).toEqual({ kind: 'user', id: 'u1', role: 'cs' });
    expect(actorFor({ principal: 'shop', roles: ['storefront'] }, 'cancel')).toEqual({ kind: 'storefront', id: 'shop' });
    // no fitting role: decide() refuses it with 403
    expect(actorFor({ principal: 'u2', roles: ['finance'] }, 'approve')).toEqual({ kind: 'user', id: 'u2', role: 'finance' });
  });

  it('If-Match: quoted, bare or weak version; absent or * is no precondition; anything else is 400', () => {
    const ev = (value?: string) => apiEvent({ routeKey: 'POST /orders/{orderId}/approve', headers: value === undefined ? {} : { 'if-match': value } });
    expect(ifMatchVersion(ev('"3"'))).toBe(3);
    expect(ifMatchVersion(ev('3'))).toBe(3);
    expect(ifMatchVersion(ev('W/"12"'))).toBe(12);
    expect(ifMatchVersion(ev())).toBeUndefined();
    expect(ifMatchVersion(ev('*'))).toBeUndefined();
    expect(() => ifMatchVersion(ev('"abc"'))).toThrow('If-Match must be a version');
  });
});
