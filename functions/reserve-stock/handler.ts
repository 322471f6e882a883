import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { application } from '../../shared/app';
import { makeHandler } from './reserve-stock';

/** a re-ranked location decides where orders ship from at most this long after its PUT */
export const LOCATIONS_TTL_MS = 5_000;

/**
 * levels read for one order may plan the next of the same SKUs this long (advice only: the
 * reservation's conditions decide, and a plan not shipping from the first location reads them)
 */
export const LEVELS_TTL_MS = 1_000;

const config = loadConfig();
const { orders, stock } = application(documentClient, config.TABLE_NAME, { locationsTtlMs: LOCATIONS_TTL_MS, levelsTtlMs: LEVELS_TTL_MS });

export const handler = makeHandler({ orders: { reserve: orders.reserve }, stock, now: () => new Date() });
