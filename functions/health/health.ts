import { HEALTH_ROUTES } from '../../shared/api/routes/health';
import { http, ok, router, type HttpHandler } from '../../shared/middleware/http';

export interface HealthDeps {
  stage: string;
  now: () => Date;
}

// The document describes every route, so building it builds every route schema. It is
// loaded on the first GET /openapi.json (the bundler defers a dynamically imported module
// until it is asked for), so a cold start of health builds none of them.
const loadOpenApi = () => import('../../shared/api/openapi');

export function makeHandler(deps: HealthDeps): HttpHandler {
  // the document depends only on code, so it is built once per container
  let openapi: Promise<unknown> | undefined;
  return router({
    'GET /health': http(HEALTH_ROUTES.health, async () => ok({ status: 'ok', stage: deps.stage, time: deps.now().toISOString() })),
    'GET /openapi.json': http(HEALTH_ROUTES.openapi, async () => {
      openapi ??= loadOpenApi().then(({ buildOpenApi }) => buildOpenApi({ stage: deps.stage }));
      return ok(await openapi);
    }),
  });
}
