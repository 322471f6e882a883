import { buildOpenApi } from '../../shared/api/openapi';
import { ROUTES } from '../../shared/api/routes';
import { http, ok, router, type HttpHandler } from '../../shared/middleware/http';

export interface HealthDeps {
  stage: string;
  now: () => Date;
}

export function makeHandler(deps: HealthDeps): HttpHandler {
  // the document depends only on code, so it is built once per container
  let openapi: unknown;
  return router({
    'GET /health': http(ROUTES.health, async () => ok({ status: 'ok', stage: deps.stage, time: deps.now().toISOString() })),
    'GET /openapi.json': http(ROUTES.openapi, async () => {
      openapi ??= buildOpenApi({ stage: deps.stage });
      return ok(openapi);
    }),
  });
}
