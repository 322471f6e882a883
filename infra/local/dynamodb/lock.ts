// A FIFO readers-writer lock. Every write (single item, batch, transaction, TTL delete) takes it
// exclusively, so a transaction's items are written with no reader or writer in between; item reads
// take it shared, so they never see half of a transaction. FIFO order keeps a stream of readers
// from starving writers (and the other way round).

type Waiter = { write: boolean; wake: () => void };

export class RwLock {
  private readers = 0;
  private writing = false;
  private readonly queue: Waiter[] = [];

  read<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(false, fn);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    return this.run(true, fn);
  }

  private async run<T>(write: boolean, fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((wake) => {
      this.queue.push({ write, wake });
      this.drain();
    });
    try {
      return await fn();
    } finally {
      if (write) this.writing = false;
      else this.readers--;
      this.drain();
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && !this.writing) {
      const next = this.queue[0]!;
      if (next.write) {
        if (this.readers > 0) return;
        this.writing = true;
      } else {
        this.readers++;
      }
      this.queue.shift();
      next.wake();
      if (next.write) return;
    }
  }
}
