import { EventEmitter } from 'node:events';

// Stands in for eventemitter2 in function bundles (see ASYNC_EMITTER in oms-function.ts):
// json-rules-engine extends it for on() and emitAsync() only, and Node's own emitter with
// emitAsync added does that without eventemitter2's 19 KB.
export default class AsyncEmitter extends EventEmitter {
  /** Calls every listener with the arguments and resolves when all of them have (eventemitter2's emitAsync). */
  emitAsync(event: string | symbol, ...args: unknown[]): Promise<unknown[]> {
    return Promise.all(this.listeners(event).map((listener) => (listener as (...a: unknown[]) => unknown)(...args)));
  }
}
