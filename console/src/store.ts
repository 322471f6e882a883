import { useEffect, useReducer } from 'preact/hooks';

// A value the whole app shares (session, language, time zone); components that read it
// with use() re-render when it changes.
export interface Store<T> {
  get(): T;
  set(value: T): void;
  use(): T;
}

export function store<T>(initial: T): Store<T> {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set(next) {
      value = next;
      for (const l of listeners) l();
    },
    use() {
      const [, rerender] = useReducer((n: number) => n + 1, 0);
      useEffect(() => {
        listeners.add(rerender as () => void);
        return () => void listeners.delete(rerender as () => void);
      }, []);
      return value;
    },
  };
}
