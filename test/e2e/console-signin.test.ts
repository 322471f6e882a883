import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { consoleSession, hasChromium, type ConsolePage } from '../support/browser';
import { apiUrl, call, createProduct, eventually, getOrder, orderBody, uniqueSku } from './client';

// Signing in to the console in Chromium the way a deployed stage does it: the sign-in button
// sends the browser to the hosted UI (here the local cloud's stand-in, /_local/auth) with a
// PKCE challenge, the person picks a role, and the console exchanges the code it is sent
// back with for the token it then calls the API with. Tampering on the way is refused.

const HOSTED_UI = /\/_local\/auth\/oauth2\/authorize\?/;

/** From the console's sign-in page to the hosted UI's. */
async function toHostedUi(c: ConsolePage) {
  await c.page.locator('button[data-sign-in="cognito"]').click();
  await c.page.waitForURL(HOSTED_UI);
}

describe.skipIf(!hasChromium)('signing in to the console through the hosted UI', () => {
  const page = consoleSession(apiUrl);

  it('ops signs in at the hosted UI, works the review queue with the token it brought back, and signs out through /logout', async () => {
    // an order above the default review threshold (10,000 CNY) waits for a person
    const sku = uniqueSku('SIGNIN');
    await createProduct(sku, 3, 1_200_000);
    const placed = await call('POST', '/orders', { as: 'storefront', body: orderBody([{ sku, quantity: 1 }]), headers: { 'idempotency-key': randomUUID() } });
    expect(placed.status).toBe(202);
    const order = placed.body as { orderId: string; orderNumber: string };
    await eventually(() => getOrder(order.orderId), (r) => r.body.status === 'IN_REVIEW');

    const c = await page();
    await c.page.locator('h1', { hasText: 'OMS console' }).waitFor();
    await toHostedUi(c);
    const authorize = new URL(c.page.url());
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code', redirect_uri: `${apiUrl()}/console/`, code_challenge_method: 'S256', scope: 'openid email profile',
    });
    await c.page.locator('input[name="username"]').fill('Mei Lin');
    await c.shot('hosted-ui');

    const listed = c.page.waitForResponse((r) => new URL(r.url()).pathname === '/orders' && r.request().method() === 'GET');
    await c.page.locator('button[data-role="ops"]').click();
    await c.page.locator('nav.side').waitFor();
    // back on the console, the code and state gone from the address
    expect(new URL(c.page.url()).search).toBe('');
    await expect.poll(() => c.page.locator('header .who').getAttribute('title')).toBe('Mei Lin');
    // the review queue came from the API, called with the hosted UI's access token
    const answer = await listed;
    expect(answer.status()).toBe(200);
    const bearer = (await answer.request().headerValue('authorization'))!.replace(/^Bearer /, '');
    expect(decodeJwt(bearer)).toMatchObject({ 'cognito:groups': ['ops'], username: 'Mei Lin', token_use: 'access' });
    await c.page.locator(`tr[data-order="${order.orderNumber}"]`).waitFor();

    // signing out goes through the hosted UI's /logout and back to the sign-in page
    const logout = c.page.waitForRequest((r) => new URL(r.url()).pathname === '/_local/auth/logout');
    await c.page.locator('header button', { hasText: 'Sign out' }).click();
    expect(new URL((await logout).url()).searchParams.get('logout_uri')).toBe(`${apiUrl()}/console/`);
    await c.page.locator('button[data-sign-in="cognito"]').waitFor();
    await c.page.reload();
    await c.page.locator('button[data-sign-in="cognito"]').waitFor();
    expect(await c.page.locator('nav.side').count()).toBe(0);
    expect(c.problems()).toEqual([]);
  });

  it('an answer whose state was tampered with on the way back is refused, and no code is exchanged', async () => {
    const c = await page();
    const exchanges: string[] = [];
    c.page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/_local/auth/oauth2/token') exchanges.push(r.url());
    });
    await toHostedUi(c);
    await c.page.locator('input[name="state"]').evaluate((input: { value: string }) => {
      input.value = 'forged-state';
    });
    await c.page.locator('button[data-role="admin"]').click();
    await c.page.getByRole('alert').filter({ hasText: 'does not belong to a sign-in started here' }).waitFor();
    expect(await c.page.locator('nav.side').count()).toBe(0);
    expect(exchanges).toEqual([]);
    expect(c.problems()).toEqual([]);
  });

  it('a code presented with another verifier than the one its challenge was made from is refused', async () => {
    const c = await page({ expected: [/^400 \/_local\/auth\/oauth2\/token$/] });
    await toHostedUi(c);
    // same origin as the console: the verifier the tab keeps for the way back is swapped for another
    await c.page.evaluate(() => {
      const kept = JSON.parse(sessionStorage.getItem('oms.console.pkce')!) as { verifier: string; state: string };
      sessionStorage.setItem('oms.console.pkce', JSON.stringify({ ...kept, verifier: `${kept.verifier.slice(1)}x` }));
    });
    const refused = c.page.waitForResponse((r) => new URL(r.url()).pathname === '/_local/auth/oauth2/token');
    await c.page.locator('button[data-role="ops"]').click();
    const answer = await refused;
    expect(answer.status()).toBe(400);
    expect(await answer.json()).toMatchObject({ error: 'invalid_grant' });
    await c.page.getByRole('alert').filter({ hasText: 'The sign-in was refused (invalid_grant)' }).waitFor();
    expect(await c.page.locator('nav.side').count()).toBe(0);
    await c.shot('sign-in-refused');
    expect(c.problems()).toEqual([]);
  });
});
