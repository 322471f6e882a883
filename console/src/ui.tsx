import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { statusLabel, t } from './i18n';

// Small pieces every screen uses: loading data, errors, status badges.

export interface Loaded<T> {
  data?: T;
  error?: unknown;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when deps change (and on reload()); keeps the last data while reloading, so nothing jumps. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, loading: false }),
      (error: unknown) => live && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { ...state, reload };
}

export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.status} ${error.problem.title ?? ''}${error.problem.detail ? `: ${error.problem.detail}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div class="notice error" role="alert">
      <span>{t('error', { detail: errorText(error) })}</span>
      {onRetry && <button type="button" onClick={onRetry}>{t('retry')}</button>}
    </div>
  );
}

export function Notice({ kind = 'info', children }: { kind?: 'info' | 'ok' | 'warn' | 'error'; children: ComponentChildren }) {
  return <div class={`notice ${kind}`} role={kind === 'error' || kind === 'warn' ? 'alert' : 'status'}>{children}</div>;
}

export function Status({ status }: { status: string }) {
  return <span class={`status s-${status.toLowerCase()}`}>{statusLabel(status)}</span>;
}

export function Loading() {
  return <div class="loading" aria-busy="true">{t('loading')}</div>;
}
