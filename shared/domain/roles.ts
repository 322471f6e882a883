import * as z from 'zod';

// Staff and client roles as the domain sees them. The lifecycle decides who may
// do what, so the list belongs to the domain; the HTTP layer maps token claims
// onto it (shared/middleware/auth.ts keeps the same five names).
export const ROLES = ['storefront', 'ops', 'cs', 'finance', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;
