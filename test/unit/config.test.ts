import { describe, expect, it } from 'vitest';
import { loadConfig, loadStageConfig } from '../../shared/config';

describe('config', () => {
  it('parses the environment a function is deployed with', () => {
    expect(loadConfig({ TABLE_NAME: 't', EVENT_BUS_NAME: 'b', STAGE: 'prod' })).toEqual({
      TABLE_NAME: 't',
      EVENT_BUS_NAME: 'b',
      STAGE: 'prod',
      POWERTOOLS_SERVICE_NAME: 'oms',
    });
  });

  it('fails fast naming every missing variable', () => {
    expect(() => loadConfig({ STAGE: 'dev' })).toThrow(/Invalid environment configuration: TABLE_NAME: .*EVENT_BUS_NAME: /);
  });

  it('lets health run with the stage only', () => {
    expect(loadStageConfig({})).toEqual({ STAGE: 'dev' });
  });
});
