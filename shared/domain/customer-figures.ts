// A customer's derived figures, as plain functions (no schema): the profile read uses
// them in every function that reads customers.

/** Returned orders over orders counted, to four places (0 without orders). */
export const returnRate = (returnCount: number, orderCount: number) => (orderCount > 0 ? Math.round((returnCount / orderCount) * 10_000) / 10_000 : 0);

/** Count and average of ratings kept as two counters. */
export const ratingSummary = (count: number, sum: number): { count: number; average: number } | undefined =>
  count > 0 ? { count, average: Math.round((sum / count) * 100) / 100 } : undefined;
