import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../infra/constructs/oms-function';
import { ownersByThread } from '../../bench/profile';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });

/** A main-thread profile: the gateway calls JSON.parse and Node's HTTP; V8 collects garbage. */
const mainThread = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 5, 6] },
    { id: 2, callFrame: frame('handle', `file://${REPO_ROOT}/infra/local/gateway.ts`), children: [3, 4] },
    { id: 3, callFrame: frame('parse') },
    { id: 4, callFrame: frame('write', 'node:_http_outgoing') },
    { id: 5, callFrame: frame('(garbage collector)') },
    { id: 6, callFrame: frame('(idle)') },
  ],
  startTime: 1_000,
  // one sample before the window (at 1 100), the rest inside it (1 200 to 1 700)
  samples: [3, 3, 3, 4, 5, 6, 2],
  timeDeltas: [100, 100, 100, 100, 100, 100, 100],
};

describe('the bench profile summary', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('charges a built-in to the code that called it and keeps only the measured window', () => {
    dir = mkdtempSync(join(tmpdir(), 'oms-profile-'));
    writeFileSync(join(dir, 'CPU.1.cpuprofile'), JSON.stringify(mainThread));
    // a profile of no known thread (no gateway, dynalite or bundle) is left out
    writeFileSync(join(dir, 'CPU.2.cpuprofile'), JSON.stringify({ ...mainThread, nodes: mainThread.nodes.slice(2).map((n) => ({ ...n, children: [] })) }));
    const { groups, hotspots } = ownersByThread(dir, { fromUs: 1_150, toUs: 1_700 });
    expect(groups).toEqual({
      main: {
        'project: local cloud (gateway, bus, queues, runtime)': 300,
        'Node.js (HTTP, streams, crypto, workers)': 100,
        'V8 (GC, compiler, runtime)': 100,
      },
    });
    // the project's function, with the JSON.parse it called
    expect(hotspots).toEqual({ 'handle infra/local/gateway.ts': 300 });
  });
});
