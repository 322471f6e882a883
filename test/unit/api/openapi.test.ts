import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/health/health';
import { ROUTES } from '../../../shared/api/routes';
import { call } from '../../support/api-event';

const handler = makeHandler({ stage: 'test', now: () => new Date('2026-11-27T03:00:00.000Z') });

type Doc = { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>>; components: { schemas: Record<string, unknown> } };

describe('GET /health and GET /openapi.json', () => {
  it('reports health without a token', async () => {
    const res = await call(handler, { routeKey: 'GET /health' });
    expect(res).toMatchObject({ status: 200, body: { status: 'ok', stage: 'test', time: '2026-11-27T03:00:00.000Z' } });
  });

  it('documents every route with its schemas and security', async () => {
    const { status, body } = await call<Doc>(handler, { routeKey: 'GET /openapi.json' });
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    for (const route of Object.values(ROUTES)) {
      const op = body.paths[route.path]?.[route.method.toLowerCase()];
      expect(op, `${route.method} ${route.path}`).toBeDefined();
      if (route.auth === 'public') expect(op!.security).toEqual([]);
      else {
        expect(op!.security).toEqual([{ jwt: [] }]);
        expect(op!['x-roles']).toEqual(route.auth);
        expect(Object.keys(op!.responses as object)).toEqual(expect.arrayContaining(['401', '403']));
      }
    }
    const place = body.paths['/orders']!.post!;
    const schema = (place.requestBody as { content: Record<string, { schema: Record<string, unknown> }> }).content['application/json']!.schema;
    const resolved = (schema.$ref ? body.components.schemas[String(schema.$ref).split('/').pop()!] : schema) as Record<string, unknown>;
    expect(resolved).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['channel', 'customer', 'lines', 'shippingAddress']) });
    expect(place.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]));
    expect(body.paths['/products']!.get!.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'cursor', in: 'query' })]));
    expect(JSON.stringify(body)).not.toContain('#/$defs/');
  });
});
