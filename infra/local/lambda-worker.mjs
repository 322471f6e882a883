/* global process */
// Bootstrap of one local Lambda "container": a worker thread that loads a function's
// bundle once (module scope runs once, as in a cold start) and then runs one
// invocation at a time. Plain JavaScript because the bundles are plain JavaScript and the
// worker must run under plain Node, whatever started the local cloud.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const { file, exportName, functionName, functionArn, memoryMb, logGroupName, logStreamName, sourceMaps } = workerData;
if (sourceMaps && typeof process.setSourceMapsEnabled === 'function') process.setSourceMapsEnabled(true);

const errorOf = (err) => ({
  errorType: (err && err.name) || 'Error',
  errorMessage: (err && err.message) || String(err),
  stack: err && typeof err.stack === 'string' ? err.stack.split('\n') : [],
});

/** The "type" of the package.json nearest to `file`, as Node and Lambda's runtime read it. */
function packageType(file) {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type ?? 'commonjs';
    if (dirname(dir) === dir) return 'commonjs';
  }
}

/** Loads the bundle as Lambda's Node.js runtime does: require() for CommonJS, import() for an ES module. */
const load = (file) =>
  file.endsWith('.cjs') || (file.endsWith('.js') && packageType(file) !== 'module')
    ? createRequire(file)(file)
    : import(pathToFileURL(file).href);

let handler;
try {
  const mod = await load(file);
  handler = mod[exportName] ?? mod.default?.[exportName];
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function named ${exportName}`);
  parentPort.postMessage({ type: 'ready' });
} catch (err) {
  parentPort.postMessage({ type: 'init-error', error: { ...errorOf(err), errorType: 'Runtime.ImportModuleError' } });
}

parentPort.on('message', async ({ id, event, awsRequestId, deadline }) => {
  const context = {
    awsRequestId,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    logGroupName,
    logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${awsRequestId.replace(/-/g, '').slice(0, 24)}`;
  try {
    // Callback-style handlers (three parameters) are still accepted by the Node runtime.
    const result =
      handler.length >= 3
        ? await new Promise((resolve, reject) => {
            const maybe = handler(event, context, (err, value) => (err ? reject(err) : resolve(value)));
            if (maybe && typeof maybe.then === 'function') maybe.then(resolve, reject);
          })
        : await handler(event, context);
    // The result crosses a JSON boundary in Lambda too: functions and undefined vanish.
    const json = result === undefined ? 'null' : JSON.stringify(result);
    parentPort.postMessage({ type: 'result', id, ok: true, json: json === undefined ? 'null' : json });
  } catch (err) {
    parentPort.postMessage({ type: 'result', id, ok: false, error: errorOf(err) });
  }
});
