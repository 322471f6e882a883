import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ConflictError } from '../../../shared/domain/errors';
import { accepted, http, MAX_BODY_BYTES, ok, router } from '../../../shared/middleware/http';
import { call, TOKENS, type Claims } from '../../support/api-event';

const Body = z.strictObject({ name: z.string().min(1), qty: z.int().min(1) });
const Params = z.strictObject({ id: z.string().regex(/^\d+$/) });

const echo = http({ auth: ['ops', 'admin'], body: Body, params: Params }, async ({ body, params, auth, idempotencyKey }) =>
  accepted({ body, params, principal: auth.principal, roles: auth.roles, idempotencyKey }, `/things/${params.id}`),
);
const route = 'POST /things/{id}';
const send = (input: Partial<Parameters<typeof call>[1]>) =>
  call(echo, { routeKey: route, pathParameters: { id: '7' }, body: { name: 'a', qty: 1 }, claims: TOKENS.ops, ...input });

const expectProblem = (res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }, status: number) => {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toBe('application/problem+json');
  expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
};

describe('http() middleware', () => {
  it('passes validated input, the caller and the Idempotency-Key to the handler', async () => {
    const res = await send({ headers: { 'IDEMPOTENCY-KEY': 'abc-123' } });
    expect(res.status).toBe(202);
    expect(res.headers.location).toBe('/things/7');
    expect(res.body).toEqual({
      body: { name: 'a', qty: 1 },
      params: { id: '7' },
      principal: 'user-ops',
      roles: ['ops'],
      idempotencyKey: 'abc-123',
    });
  });

  it('401 without a token on a protected route', async () => {
    const res = await send({ claims: undefined });
    expectProblem(res, 401);
  });

  it('403 for a role that may not call the route', async () => {
    expectProblem(await send({ claims: TOKENS.storefront }), 403);
    expectProblem(await send({ claims: { sub: 'u', 'cognito:groups': '[finance cs]' } }), 403);
  });

  it('reads roles from cognito:groups as array or flattened string, and from oms/ scopes', async () => {
    const variants: Claims[] = [
      { sub: 'u1', 'cognito:groups': ['cs', 'admin'] },
      { sub: 'u2', 'cognito:groups': '[cs admin]' },
      { sub: 'u3', 'cognito:groups': 'admin' },
      { client_id: 'm2m', scope: 'openid oms/admin' },
    ];
    for (const claims of variants) {
      const res = await send({ claims });
      expect(res.status).toBe(202);
      expect(res.body.roles).toContain('admin');
    }
  });

  it('415 when the body is not JSON', async () => {
    expectProblem(await send({ rawBody: 'name=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415);
    expectProblem(await send({ rawBody: '{"name":"a","qty":1}', headers: { 'content-type': 'text/plain' } }), 415);
  });

  it('accepts JSON with a charset or a +json media type', async () => {
    expect((await send({ headers: { 'content-type': 'application/json; charset=utf-8' } })).status).toBe(202);
    expect((await send({ headers: { 'content-type': 'application/merge-patch+json' } })).status).toBe(202);
  });

  it('413 when the body is larger than the limit', async () => {
    const res = await send({ body: { name: 'x'.repeat(MAX_BODY_BYTES), qty: 1 } });
    expectProblem(res, 413);
  });

  it('413 also for a base64-encoded body', async () => {
    const raw = Buffer.from(JSON.stringify({ name: 'x'.repeat(MAX_BODY_BYTES), qty: 1 })).toString('base64');
    expectProblem(await send({ rawBody: raw, isBase64Encoded: true }), 413);
  });

  it('400 with field errors for malformed JSON, bad fields, unknown fields and bad path parameters', async () => {
    const malformed = await send({ rawBody: '{"name":' });
    expectProblem(malformed, 400);
    expect(malformed.body.errors).toEqual([{ path: 'body', message: 'is not valid JSON' }]);

    const invalid = await send({ body: { name: '', qty: 1.5, colour: 'red' } });
    expectProblem(invalid, 400);
    expect(invalid.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'body.name', message: expect.any(String) },
        { path: 'body.qty', message: expect.any(String) },
        { path: 'body.colour', message: 'is not allowed' },
      ]),
    );

    const badPath = await send({ pathParameters: { id: 'abc' } });
    expect(badPath.body.errors).toEqual([{ path: 'path.id', message: expect.any(String) }]);
  });

  it('400 for a missing body and for an unusable Idempotency-Key', async () => {
    expectProblem(await send({ body: undefined }), 400);
    expectProblem(await send({ headers: { 'idempotency-key': 'x'.repeat(201) } }), 400);
  });

  it('maps domain errors to their status with their extensions', async () => {
    const conflict = http({ auth: 'public' }, async () => {
      throw new ConflictError('Already used', { key: 'k' }, 'idempotency-conflict', 'Idempotency conflict');
    });
    const res = await call(conflict, { routeKey: 'GET /x' });
    expectProblem(res, 409);
    expect(res.body).toMatchObject({ type: '/problems/idempotency-conflict', title: 'Idempotency conflict', detail: 'Already used', key: 'k', instance: '/x' });
  });

  it('answers 500 problem+json without leaking internals', async () => {
    const boom = http({ auth: 'public' }, async () => {
      throw new Error('secret database detail');
    });
    const res = await call(boom, { routeKey: 'GET /boom' });
    expectProblem(res, 500);
    expect(JSON.stringify(res.body)).not.toContain('secret');
  });

  it('public routes need no token', async () => {
    const pub = http({ auth: 'public' }, async ({ auth }) => ok({ anonymous: auth === undefined }));
    expect((await call(pub, { routeKey: 'GET /health' })).body).toEqual({ anonymous: true });
  });

  it('router dispatches on routeKey and answers 404 problem for unknown routes', async () => {
    const r = router({ 'GET /a': http({ auth: 'public' }, async () => ok('a')) });
    expect((await call(r, { routeKey: 'GET /a' })).body).toBe('a');
    expectProblem(await call(r, { routeKey: 'GET /b' }), 404);
  });

  it('a route without a body schema takes no body or {}; anything else is 400 or 415 and the handler never runs', async () => {
    let runs = 0;
    const approve = http({ auth: ['ops'] }, async () => {
      runs += 1;
      return ok({ done: true });
    });
    const post = (input: Partial<Parameters<typeof call>[1]>) => call(approve, { routeKey: 'POST /orders/{id}/approve', claims: TOKENS.ops, ...input });
    expect((await post({})).status).toBe(200);
    expect((await post({ rawBody: '' })).status).toBe(200);
    expect((await post({ body: {} })).status).toBe(200);
    expectProblem(await post({ rawBody: 'not json', headers: { 'content-type': 'text/plain' } }), 415);
    expectProblem(await post({ rawBody: '{"a":' }), 400);
    const extra = await post({ body: { force: true } });
    expectProblem(extra, 400);
    expect(extra.body.errors).toEqual([{ path: 'body.force', message: 'is not allowed' }]);
    expect(runs).toBe(3);
  });

  it('refuses reserved keys (__proto__, constructor, prototype) at any depth', async () => {
    for (const raw of ['{"__proto__":{"qty":2},"name":"a","qty":1}', '{"name":"a","qty":1,"x":{"constructor":1}}', '{"prototype":[],"name":"a","qty":1}']) {
      const res = await send({ rawBody: raw });
      expectProblem(res, 400);
      expect((res.body.errors as { message: string }[])[0]?.message).toBe('is a reserved key');
    }
  });

  it('every answer says nosniff and no-store; HSTS only to a request that came over HTTPS', async () => {
    const plain = await send({});
    expect(plain.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
    expect(plain.headers['strict-transport-security']).toBeUndefined();
    const tls = await send({ headers: { 'x-forwarded-proto': 'https' } });
    expect(tls.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    const problem = await send({ claims: undefined, headers: { 'x-forwarded-proto': 'https' } });
    expect(problem.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-store', 'strict-transport-security': expect.any(String) });
    const r = router({});
    expect((await call(r, { routeKey: 'GET /nope' })).headers['x-content-type-options']).toBe('nosniff');
  });
});
