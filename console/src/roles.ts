// The staff roles the console serves (the API's roles but the storefront's).
export const STAFF_ROLES = ['ops', 'cs', 'finance', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];
export type Role = StaffRole | 'storefront';
