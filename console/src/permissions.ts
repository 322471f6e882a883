import type { RouteName } from '../../shared/api/routes';
import type { StaffRole } from './roles';

// Who may call which route comes from the API's route table (handed over by the build),
// so a screen or button shows exactly when the API would let its user through.

export const routeOf = (name: RouteName) => {
  const route = OMS_ROUTES[name];
  if (!route) throw new Error(`unknown route ${name}`);
  return route;
};

/** Whether one of these roles may call the route. */
export function may(roles: readonly StaffRole[], name: RouteName): boolean {
  const { auth } = routeOf(name);
  return auth === 'public' || roles.some((r) => (auth as readonly string[]).includes(r));
}

/** The route's path with its parameters filled in (each encoded). */
export function pathOf(name: RouteName, params: Record<string, string> = {}): string {
  return routeOf(name).path.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`${name}: missing ${key}`);
    return encodeURIComponent(value);
  });
}
