// Builds the back-office console (console/) and the API reference page (/docs) into one
// static site: `<out>/console/` (index.html, hashed scripts and one CSS file) and
// `<out>/docs/` (swagger-ui-dist rendering the API's /openapi.json).
//
//   npm run build:console                 # into .oms/console-site
//   npm run build:console -- --out DIR    # a folder a deployment uploads
//
// The local cloud builds it in memory when first asked for it (infra/local/console-site.ts). Which
// screens a role sees is derived from the route table (shared/api/routes): the build hands
// each route's method, path and roles to the app, so nothing keeps a second list.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { ROUTES } from '../shared/api/routes';
import { CORE_DEPARTMENTS } from '../shared/domain/notifications';
import { defaultWorkflowSettings } from '../shared/domain/workflow-settings';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SRC = join(ROOT, 'console');

/** One file of the site: its path under the site's root (console/index.html, docs/...) and its bytes. */
export interface SiteFile {
  path: string;
  contents: Uint8Array;
}

/** What the app learns at build time (console/src/globals.d.ts declares the same names). */
export function buildDefines(): Record<string, string> {
  const routes = Object.fromEntries(
    Object.entries(ROUTES).map(([name, r]) => [name, { method: r.method, path: r.path, auth: r.auth }]),
  );
  return {
    OMS_ROUTES: JSON.stringify(routes),
    OMS_DEPARTMENTS: JSON.stringify(CORE_DEPARTMENTS),
    OMS_DEFAULT_TIME_ZONE: JSON.stringify(defaultWorkflowSettings().timeZone),
  };
}

const SWAGGER_FILES = ['swagger-ui.css', 'swagger-ui-bundle.js'];

/** The whole site, in memory. `minify` defaults to true (a deployment); the local cloud may skip it. */
export async function buildConsoleSite(opts: { minify?: boolean } = {}): Promise<SiteFile[]> {
  const minify = opts.minify ?? true;
  const out = join(ROOT, '.oms', 'console-build');
  const result = await esbuild.build({
    entryPoints: { app: join(SRC, 'src', 'main.tsx') },
    bundle: true,
    format: 'esm',
    splitting: true,
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify,
    sourcemap: minify ? false : 'inline',
    outdir: out,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    write: false,
    define: buildDefines(),
    logLevel: 'silent',
    legalComments: 'none',
  });
  const files: SiteFile[] = [];
  let script = '';
  let style = '';
  for (const f of result.outputFiles) {
    const name = relative(out, f.path).split('\\').join('/');
    files.push({ path: `console/${name}`, contents: f.contents });
    // the entry point's script and the one stylesheet (the screens' chunks load on demand)
    if (name.startsWith('app-') && name.endsWith('.js')) script = name;
    if (name.startsWith('app-') && name.endsWith('.css')) style = name;
  }
  if (!script || !style) throw new Error('the console build made no app script or stylesheet');
  const html = readFileSync(join(SRC, 'index.html'), 'utf8').replace('%STYLE%', `./${style}`).replace('%SCRIPT%', `./${script}`);
  files.push({ path: 'console/index.html', contents: new TextEncoder().encode(html) });

  // The API reference: swagger-ui-dist's own files, a page, and its start-up script (no inline script).
  const swagger = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  for (const name of SWAGGER_FILES) files.push({ path: `docs/${name}`, contents: readFileSync(join(swagger, name)) });
  for (const name of ['index.html', 'docs.js']) files.push({ path: `docs/${name}`, contents: readFileSync(join(SRC, 'docs', name)) });
  return files;
}

/** Writes the site into `dir` (emptied first). */
export async function buildConsole(dir: string, opts: { minify?: boolean } = {}): Promise<SiteFile[]> {
  const files = await buildConsoleSite(opts);
  rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(dirname(join(dir, f.path)), { recursive: true });
    writeFileSync(join(dir, f.path), f.contents);
  }
  return files;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--out');
  const dir = resolve(i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : join(ROOT, '.oms', 'console-site'));
  const started = Date.now();
  const files = await buildConsole(dir);
  const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  for (const f of files.filter((x) => x.path.startsWith('console/'))) console.log(`  ${f.path.padEnd(40)} ${kib(f.contents.byteLength)}`);
  console.log(`console site in ${relative(process.cwd(), dir) || '.'} (${files.length} files) in ${Date.now() - started} ms`);
}
