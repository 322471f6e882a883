// Values the build hands the app (scripts/build-console.ts buildDefines()).
import type { RouteDef } from '../../shared/api/routes';

declare global {
  /** Every route of the HTTP API: method, path and who may call it (shared/api/routes). */
  const OMS_ROUTES: Record<string, Pick<RouteDef, 'method' | 'path' | 'auth'>>;
  /** The notification departments every stage has (shared/domain/notifications.ts). */
  const OMS_DEPARTMENTS: readonly string[];
  /** The business time zone a fresh stage runs with, until the settings say otherwise. */
  const OMS_DEFAULT_TIME_ZONE: string;
}

export {};
