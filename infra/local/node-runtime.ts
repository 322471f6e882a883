// Which Node.js runs this process, said at the start of `npm test` and `npm start`. The project
// brings its own Node (the `node` devDependency, at Lambda's nodejs22.x major), and npm puts
// node_modules/.bin first on the PATH of every script, so scripts run on it, not the machine's.
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The Node.js major the functions run on in Lambda (nodejs22.x). */
export const LAMBDA_NODE_MAJOR = 22;

export function nodeRuntimeLine(): string {
  const major = Number(process.versions.node.split('.')[0]);
  const own = process.execPath.includes(`${sep}node_modules${sep}node${sep}`);
  const from = own ? "the project's node package" : process.execPath;
  const note = major === LAMBDA_NODE_MAJOR ? `as Lambda's nodejs${LAMBDA_NODE_MAJOR}.x` : `NOT Lambda's nodejs${LAMBDA_NODE_MAJOR}.x: run through npm (npm test, npm start)`;
  return `Node.js ${process.version} (${from}), ${note}`;
}

// `npm test` runs this first (pretest).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(nodeRuntimeLine());
