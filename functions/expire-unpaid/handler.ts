import { logger } from '../../shared/middleware/logger';

// Placeholder until the store can find due orders; the schedule is wired already.
export const handler = async (): Promise<void> => {
  logger.debug('expire-unpaid: nothing to do yet');
};
