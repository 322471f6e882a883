import { useEffect, useState } from 'preact/hooks';

// Hash routes (#/orders/ORD-1): the site is static files, so any URL the app shows
// reloads to the same index.html on S3 or the local cloud without rewrite rules.

export const currentPath = () => decodeURIComponent(location.hash.replace(/^#/, '')) || '/';

export function navigate(path: string) {
  location.hash = `#${path}`;
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const onChange = () => setPath(currentPath());
    addEventListener('hashchange', onChange);
    onChange(); // a change made before this ran (the first render's redirect to the home screen)
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return path;
}

/** `/orders/:orderId` against `/orders/O1` -> { orderId: 'O1' }; undefined if it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/');
  const got = path.split('?')[0]!.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = got[i]!;
    else if (part !== got[i]) return undefined;
  }
  return params;
}

/** The query part of the hash (#/orders?phone=...). */
export const hashQuery = (path: string) => new URLSearchParams(path.split('?')[1] ?? '');
