import { HealthResponse } from '../schemas-health';
import { type RouteDef } from './common';

// The routes functions/health serves (its bundle carries these and no others).
export const HEALTH_ROUTES = {
  health: {
    method: 'GET', path: '/health', fn: 'health', summary: 'Liveness check', auth: 'public',
    responses: { 200: { description: 'Service is up', schema: HealthResponse } },
  },
  openapi: {
    method: 'GET', path: '/openapi.json', fn: 'health', summary: 'This OpenAPI document', auth: 'public',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  },
} as const satisfies Record<string, RouteDef>;
