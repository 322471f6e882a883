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
  const ref = useRef(actions);
  ref.current = actions;
  const clamped = Math.min(selected, Math.max(0, count - 1));
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (ref.current.enabled === false || e.ctrlKey || e.metaKey || e.altKey || typingInField(e)) return;
      if (count === 0) return;
      const extra = ref.current.keys?.[e.key];
      if (e.key === 'j' || e.key === 'ArrowDown') setSelected((s) => Math.min(count - 1, s + 1));
      else if (e.key === 'k' || e.key === 'ArrowUp') setSelected((s) => Math.max(0, Math.min(count - 1, s) - 1));
      else if (e.key === 'Enter' && ref.current.open) ref.current.open(Math.min(selected, count - 1));
      else if (extra) extra(Math.min(selected, count - 1));
      else return;
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [count, selected]);
  useEffect(() => {
    document.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
  }, [clamped]);
  return [clamped, setSelected];
}
