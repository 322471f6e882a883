import * as z from 'zod';
import { ProblemSchema } from './schemas';
import { ROUTES, type RouteDef } from './routes';

type Json = Record<string, unknown>;

// A named schema used as input can differ from its output form (defaults, coercion),
// so input use gets its own component ("OrderInput") unless it is an input schema
// by name already (PlaceOrderRequest, ProductInput, StockAdjustment).
const componentName = (id: string, io: 'input' | 'output') =>
  io === 'input' && !/Request|Input|Adjustment/.test(id) ? `${id}Input` : id;

/**
 * Converts one schema and moves its named sub-schemas (`.meta({ id })`) into
 * components, so shared shapes (Order, Product, Problem) appear once.
 */
function schemaRef(schema: z.ZodType, io: 'input' | 'output', components: Json): Json {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  const { $schema: _s, $defs, ...rest } = json;
  for (const [id, def] of Object.entries(($defs ?? {}) as Json)) {
    components[componentName(id, io)] = rewriteRefs(def, io);
  }
  return rewriteRefs(rest, io) as Json;
}

function rewriteRefs(value: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteRefs(v, io));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) {
          return [k, `#/components/schemas/${componentName(v.slice('#/$defs/'.length), io)}`];
        }
        return [k, rewriteRefs(v, io)];
      }),
    );
  }
  return value;
}

function parameters(route: RouteDef, components: Json): Json[] {
  const params: Json[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = schemaRef(schema, 'input', components);
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries((json.properties ?? {}) as Json)) {
      params.push({ name, in: where, required: where === 'path' || required.has(name), schema: s });
    }
  }
  for (const h of route.headers ?? []) {
    params.push({ name: h.name, in: 'header', required: h.required, description: h.description, schema: { type: 'string', maxLength: 200 } });
  }
  return params;
}

const problem = { $ref: '#/components/schemas/Problem' };

export function buildOpenApi(opts: { stage: string; serverUrl?: string }): Json {
  const components: Json = {};
  schemaRef(ProblemSchema, 'output', components);
  const paths: Record<string, Json> = {};
  for (const [name, route] of Object.entries(ROUTES) as [string, RouteDef][]) {
    const responses: Json = {};
    for (const [status, r] of Object.entries(route.responses)) {
      const isError = Number(status) >= 400;
      const content = r.schema
        ? { 'application/json': { schema: schemaRef(r.schema, 'output', components) } }
        : isError
          ? { 'application/problem+json': { schema: problem } }
          : undefined;
      responses[status] = {
        description: r.description,
        ...(content ? { content } : {}),
        ...(r.headers ? { headers: Object.fromEntries(r.headers.map((h) => [h, { schema: { type: 'string' } }])) } : {}),
      };
    }
    const errorStatuses = [
      ...(route.body ? [['400', 'Invalid request (field errors)'], ['413', 'Body too large'], ['415', 'Not JSON']] : []),
      ...(route.params || route.query ? [['400', 'Invalid request (field errors)']] : []),
      ...(route.auth === 'public' ? [] : [['401', 'No or invalid token'], ['403', 'Role not allowed']]),
    ];
    for (const [status, description] of errorStatuses) {
      responses[status!] ??= { description, content: { 'application/problem+json': { schema: problem } } };
    }
    const operation: Json = {
      operationId: name,
      summary: route.summary,
      ...(route.auth === 'public'
        ? { security: [] }
        : { security: [{ jwt: [] }], 'x-roles': route.auth, description: `Roles: ${route.auth.join(', ')}` }),
      parameters: parameters(route, components),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: schemaRef(route.body, 'input', components) } } } }
        : {}),
      responses,
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'OMS API', version: '1.0.0', description: `Order management system (${opts.stage})` },
    ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
    security: [{ jwt: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        jwt: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'Role from the cognito:groups claim (users) or oms/<role> scopes (machine clients)',
        },
      },
    },
  };
}
