import { documentClient } from '../../shared/aws';
import { loadConfig } from '../../shared/config';
import { applicationFor } from '../../shared/app';
import { makeReserveStock } from '../../shared/app/reserve-stock';
import { storeFor } from '../../shared/store';
import { makeHandler } from './reserve-stock';

/** a re-ranked location decides where orders ship from at most this long after its PUT */
export const LOCATIONS_TTL_MS = 5_000;

const config = loadConfig();
const store = storeFor({ doc: documentClient, tableName: config.TABLE_NAME });
const { stock } = applicationFor(store);
const reserve = makeReserveStock({ orders: store.orders, stock: store.stock, locations: store.locations, writer: store.writer, locationsTtlMs: LOCATIONS_TTL_MS });

export const handler = makeHandler({ orders: { reserve }, stock, now: () => new Date() });
