import { decodeJwt } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { createAuthorizer, flattenClaims, localIssuer } from '../../../infra/local/authorizer';
import { buildEvent, gatewayTime, mapResult, matchRoute } from '../../../infra/local/gateway';
import type { RouteSpec } from '../../../infra/local/template';

const route = (routeKey: string, fn = routeKey): RouteSpec => {
  const [method, path] = routeKey === '$default' ? [undefined, undefined] : routeKey.split(' ');
  return { logicalId: fn, routeKey, method, path, functionName: fn, auth: { type: 'NONE' }, apiId: 'abc123' };
};

describe('route matching as API Gateway HTTP APIs do it', () => {
  const routes = [route('GET /orders/{orderId}'), route('GET /orders/by-number'), route('ANY /orders/{proxy+}'), route('POST /orders'), route('GET /products')];

  it('prefers literal segments over variables, and a method over ANY', () => {
    expect(matchRoute(routes, 'GET', '/orders/by-number')!.route.routeKey).toBe('GET /orders/by-number');
    expect(matchRoute(routes, 'GET', '/orders/O-1')).toMatchObject({ route: { routeKey: 'GET /orders/{orderId}' }, pathParameters: { orderId: 'O-1' } });
    expect(matchRoute(routes, 'DELETE', '/orders/O-1/x')).toMatchObject({ route: { routeKey: 'ANY /orders/{proxy+}' }, pathParameters: { proxy: 'O-1/x' } });
    expect(matchRoute(routes, 'POST', '/orders')!.route.routeKey).toBe('POST /orders');
  });

  it('decodes path parameters and misses unknown routes (404 unless $default)', () => {
    expect(matchRoute(routes, 'GET', '/orders/a%20b')!.pathParameters).toEqual({ orderId: 'a b' });
    expect(matchRoute(routes, 'PUT', '/products')).toBeUndefined();
    expect(matchRoute([...routes, route('$default', 'fallback')], 'PUT', '/products')!.route.functionName).toBe('fallback');
  });
});

describe('payload 2.0 events', () => {
  const now = new Date('2026-11-27T02:52:44.123Z');
  it('builds the event API Gateway sends', () => {
    const event = buildEvent(
      {
        method: 'post',
        url: '/orders/O-1?a=1&b=x%20y&a=2',
        headers: { Host: 'localhost:3000', 'Content-Type': 'application/json', Cookie: 'c1=v1; c2=v2', 'User-Agent': 'ua', 'X-Multi': ['1', '2'] },
        body: Buffer.from('{"x":1}'),
        sourceIp: '127.0.0.1',
        accountId: '000000000000',
        now,
        requestId: 'req-1',
      },
      { route: route('POST /orders/{orderId}'), pathParameters: { orderId: 'O-1' } },
      { claims: { sub: 'u1', 'cognito:groups': '[ops admin]' }, scopes: null },
    );
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /orders/{orderId}',
      rawPath: '/orders/O-1',
      rawQueryString: 'a=1&b=x%20y&a=2',
      cookies: ['c1=v1', 'c2=v2'],
      headers: { host: 'localhost:3000', 'content-type': 'application/json', 'user-agent': 'ua', 'x-multi': '1,2' },
      queryStringParameters: { a: '1,2', b: 'x y' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'abc123',
        authorizer: { jwt: { claims: { sub: 'u1', 'cognito:groups': '[ops admin]' }, scopes: null } },
        domainName: 'localhost:3000',
        domainPrefix: 'localhost:3000',
        http: { method: 'POST', path: '/orders/O-1', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'ua' },
        requestId: 'req-1',
        routeKey: 'POST /orders/{orderId}',
        stage: '$default',
        time: '27/Nov/2026:02:52:44 +0000',
        timeEpoch: now.getTime(),
      },
      body: '{"x":1}',
      isBase64Encoded: false,
      pathParameters: { orderId: 'O-1' },
    });
  });

  it('base64-encodes binary bodies and leaves out what is absent', () => {
    const event = buildEvent(
      { method: 'PUT', url: '/blob', headers: { 'content-type': 'image/png' }, body: Buffer.from([0, 1, 2]), sourceIp: '::1', accountId: '0', now },
      { route: route('PUT /blob') },
    );
    expect(event).toMatchObject({ body: 'AAEC', isBase64Encoded: true, rawQueryString: '' });
    expect(event).not.toHaveProperty('queryStringParameters');
    expect(event).not.toHaveProperty('pathParameters');
    expect(event).not.toHaveProperty('cookies');
    expect(gatewayTime(new Date('2026-01-05T07:08:09Z'))).toBe('05/Jan/2026:07:08:09 +0000');
  });
});

describe('mapping results back (payload 2.0 rules)', () => {
  const ok = (result: unknown) => mapResult({ ok: true, result, durationMs: 1, requestId: 'r' });
  it('passes a full response through, with cookies and base64 bodies', () => {
    const a = ok({ statusCode: 201, headers: { Location: '/x' }, cookies: ['a=b'], body: 'aGk=', isBase64Encoded: true });
    expect(a).toMatchObject({ status: 201, headers: { location: '/x' }, cookies: ['a=b'] });
    expect(a.body.toString()).toBe('hi');
  });
  it('turns a result without statusCode into 200 JSON, and errors into 500', () => {
    const a = ok({ hello: 'world' });
    expect(a).toMatchObject({ status: 200, headers: { 'content-type': 'application/json' } });
    expect(JSON.parse(a.body.toString())).toEqual({ hello: 'world' });
    const failed = mapResult({ ok: false, error: { errorType: 'Error', errorMessage: 'x' }, durationMs: 1, requestId: 'r' });
    expect(failed.status).toBe(500);
    expect(failed.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(failed.body.toString())).toMatchObject({ status: 500, title: 'Internal error' });
    expect(ok({ statusCode: 'nope' }).status).toBe(500);
  });
});

describe('the local JWT authorizer', () => {
  const auth = {
    type: 'JWT' as const,
    authorizer: 'A',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool',
    audience: ['machine-client', 'staff-client'],
    scopes: [],
    identitySource: ['$request.header.Authorization'],
  };
  const clients = [
    { clientId: 'machine-client', machine: true, scopes: ['oms/storefront'] },
    { clientId: 'staff-client', machine: false, scopes: [] },
  ];

  it('issues role tokens that it accepts, with claims flattened as API Gateway does', async () => {
    const a = await createAuthorizer();
    const tokens = await a.issueTokens(auth, clients);
    expect(decodeJwt(tokens.storefront)).toMatchObject({ client_id: 'machine-client', scope: 'oms/storefront', iss: localIssuer(auth.issuer) });
    expect(decodeJwt(tokens.ops)).toMatchObject({ 'cognito:groups': ['ops'], client_id: 'staff-client' });
    const outcome = await a.verify(auth, { authorization: `Bearer ${tokens.finance}` });
    expect(outcome).toMatchObject({ ok: true, claims: { 'cognito:groups': '[finance]', client_id: 'staff-client' }, scopes: null });
    expect(flattenClaims({ n: 5, b: true, list: ['a', 'b'] })).toEqual({ n: '5', b: 'true', list: '[a b]' });
  });

  it('refuses missing, malformed, foreign and wrong-audience tokens with 401, and missing scopes with 403', async () => {
    const a = await createAuthorizer();
    const other = await createAuthorizer();
    const tokens = await a.issueTokens(auth, clients);
    expect(await a.verify(auth, {})).toMatchObject({ ok: false, status: 401 });
    expect(await a.verify(auth, { authorization: 'Bearer not-a-jwt' })).toMatchObject({ ok: false, status: 401 });
    expect(await other.verify(auth, { authorization: `Bearer ${tokens.ops}` })).toMatchObject({ ok: false, status: 401 });
    expect(await a.verify({ ...auth, audience: ['someone-else'] }, { authorization: tokens.ops })).toMatchObject({ ok: false, status: 401 });
    expect(await a.verify({ ...auth, scopes: ['oms/storefront'] }, { authorization: tokens.ops })).toMatchObject({ ok: false, status: 403 });
    expect(await a.verify({ ...auth, scopes: ['oms/storefront'] }, { authorization: tokens.storefront })).toMatchObject({ ok: true, scopes: ['oms/storefront'] });
  });

  it('refuses a token it accepted before once the token has expired, and a known token under another issuer', async () => {
    const a = await createAuthorizer();
    const now = Math.floor(Date.now() / 1000);
    const token = await a.signClaims({ iss: localIssuer(auth.issuer), aud: 'staff-client', sub: 'u1', exp: now + 60 });
    expect(await a.verify(auth, { authorization: `Bearer ${token}` })).toMatchObject({ ok: true, claims: { sub: 'u1' } });
    expect(await a.verify({ ...auth, issuer: 'https://issuer.example' }, { authorization: `Bearer ${token}` })).toMatchObject({ ok: false, status: 401 });
    vi.useFakeTimers({ now: (now + 61) * 1000, toFake: ['Date'] });
    try {
      expect(await a.verify(auth, { authorization: `Bearer ${token}` })).toMatchObject({ ok: false, status: 401, why: expect.stringContaining('exp') });
    } finally {
      vi.useRealTimers();
    }
  });
});
