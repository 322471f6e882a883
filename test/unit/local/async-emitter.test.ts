import { describe, expect, it } from 'vitest';
import AsyncEmitter from '../../../infra/constructs/async-emitter';

// The stand-in for eventemitter2 in function bundles: json-rules-engine awaits emitAsync's
// listeners (a rule's success and failure handlers) before it answers.
describe('AsyncEmitter', () => {
  it('calls every listener with the arguments and resolves with their results once all have', async () => {
    const e = new AsyncEmitter();
    const seen: unknown[] = [];
    e.on('success', async (event: unknown, n: number) => { await new Promise((r) => setTimeout(r, 5)); seen.push(['a', event, n]); return 1; });
    e.on('success', (event: unknown) => (seen.push(['b', event]), 2));
    expect(await e.emitAsync('success', { type: 'flag' }, 3)).toEqual([1, 2]);
    expect(seen).toEqual([['b', { type: 'flag' }], ['a', { type: 'flag' }, 3]]);
    expect(await e.emitAsync('nobody-listens')).toEqual([]);
  });

  it('can be extended the way ES5-compiled json-rules-engine does (its parent called without new)', async () => {
    function Engine(this: InstanceType<typeof AsyncEmitter>) {
      return (AsyncEmitter as unknown as (this: unknown) => unknown).call(this) ?? this;
    }
    Object.setPrototypeOf(Engine.prototype, AsyncEmitter.prototype);
    const engine = new (Engine as unknown as typeof AsyncEmitter)();
    engine.on('success', (n: number) => n + 1);
    expect(await engine.emitAsync('success', 1)).toEqual([2]);
    expect(engine).toBeInstanceOf(AsyncEmitter);
  });

  it('rejects when a listener does', async () => {
    const e = new AsyncEmitter();
    e.on('failure', async () => { throw new Error('listener failed'); });
    await expect(e.emitAsync('failure')).rejects.toThrow('listener failed');
  });
});
