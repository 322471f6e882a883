import { EventEmitter } from 'node:events';

// Stands in for eventemitter2 in function bundles (see ASYNC_EMITTER in oms-function.ts):
// json-rules-engine extends it for on() and emitAsync() only, and Node's own emitter with
// emitAsync added does that without eventemitter2's 19 KB. A function constructor, not a
// class: json-rules-engine is compiled to ES5 and calls its parent without `new`.

interface AsyncEmitter extends EventEmitter {
  /** Calls every listener with the arguments and resolves when all of them have (eventemitter2's emitAsync). */
  emitAsync(event: string | symbol, ...args: unknown[]): Promise<unknown[]>;
}

function AsyncEmitter(this: AsyncEmitter): void {
  EventEmitter.call(this);
}
Object.setPrototypeOf(AsyncEmitter.prototype, EventEmitter.prototype);
Object.setPrototypeOf(AsyncEmitter, EventEmitter);
AsyncEmitter.prototype.emitAsync = function emitAsync(this: AsyncEmitter, event: string | symbol, ...args: unknown[]) {
  return Promise.all(this.listeners(event).map((listener) => (listener as (...a: unknown[]) => unknown)(...args)));
};

export default AsyncEmitter as unknown as new () => AsyncEmitter;
