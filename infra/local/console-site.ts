// The back-office console and the API reference on the API port, as a deployed stage
// serves them beside the API: GET /console/ (the app, built in memory on the first request
// for it from console/ by scripts/build-console.ts), /docs (swagger-ui over /openapi.json), and the
// console's config.json naming this API and its sign-in: the hosted UI's endpoints the
// local cloud serves (hosted-ui.ts), so the console signs in as it does on a stage.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname } from 'node:path';
import { HOSTED_UI_PATH } from './hosted-ui';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface ConsoleSiteDeps {
  /** the built site (built when first asked for): path under the site root (console/index.html, docs/...) -> bytes */
  files: () => Promise<ReadonlyMap<string, Uint8Array>>;
  stage: string;
  /** the template's code-grant client (the console's), which the hosted UI signs in for */
  clientId?: string;
}

/** A request handler for /console and /docs; false for anything else. */
export function consoleSite(deps: ConsoleSiteDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const send = (res: ServerResponse, status: number, type: string, body: string | Uint8Array, cache = 'no-cache') => {
    res.writeHead(status, { 'content-type': type, 'cache-control': cache, 'x-content-type-options': 'nosniff' });
    res.end(body);
    return true;
  };
  const json = (res: ServerResponse, value: unknown) => send(res, 200, TYPES['.json']!, JSON.stringify(value));
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path === '/console' || path === '/docs') {
      res.writeHead(308, { location: `${path}/` });
      res.end();
      return true;
    }
    if (!path.startsWith('/console/') && !path.startsWith('/docs/')) return false;
    if (path === '/console/config.json') {
      const cognito = deps.clientId && { domain: `http://${req.headers.host ?? 'localhost'}${HOSTED_UI_PATH}`, clientId: deps.clientId };
      return json(res, { apiUrl: '', signIn: 'cognito', stage: deps.stage, ...(cognito ? { cognito } : {}) });
    }
    const key = decodeURIComponent(path.slice(1)).replace(/\/$/, '/index.html');
    void deps.files().then((files) => {
      const body = files.get(key);
      if (!body) return send(res, 404, 'text/plain; charset=utf-8', 'Not found');
      // Hashed names never change: cache them for good; index.html is read again every time.
      const hashed = /-[A-Z0-9]{8}\.(js|css)$/.test(key);
      return send(res, 200, TYPES[extname(key)] ?? 'application/octet-stream', body, hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    });
    return true;
  };
}
