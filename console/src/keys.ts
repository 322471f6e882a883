import { useEffect, useRef, useState } from 'preact/hooks';

// Keyboard-first lists: j/k (or the arrow keys) move, Enter opens, and a screen may add
// keys of its own (a/r on the review queue). Keys typed into a field are the field's.

export const typingInField = (e: KeyboardEvent) => {
  const el = e.target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
};

export function useListKeys(
  count: number,
  actions: { open?: (index: number) => void; keys?: Record<string, (index: number) => void>; enabled?: boolean },
): [number, (index: number) => void] {
  const [selected, setSelected] = useState(0);
  const clamped = Math.min(selected, Math.max(0, count - 1));
  // Read by the one key listener when a key comes, so a key pressed right after a click (before
  // any effect ran) acts on the row just selected, with the actions of the latest render.
  const current = useRef({ actions, count, selected: clamped });
  current.current = { actions, count, selected: clamped };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const { actions: now, count: n, selected: at } = current.current;
      if (now.enabled === false || e.ctrlKey || e.metaKey || e.altKey || typingInField(e)) return;
      if (n === 0) return;
      const extra = now.keys?.[e.key];
      if (e.key === 'j' || e.key === 'ArrowDown') setSelected((s) => Math.min(n - 1, Math.min(s, n - 1) + 1));
      else if (e.key === 'k' || e.key === 'ArrowUp') setSelected((s) => Math.max(0, Math.min(s, n - 1) - 1));
      else if (e.key === 'Enter' && now.open) now.open(at);
      else if (extra) extra(at);
      else return;
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    document.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [clamped]);
  return [clamped, setSelected];
}
