import { describe, expect, it } from 'vitest';
import { dynamoFaultsOf, FaultInjector, parseRates } from '../../infra/local/dynamodb/faults';

describe('--faults', () => {
  it('reads key=rate pairs', () => {
    expect(dynamoFaultsOf('transaction-conflict=0.05, throttle=0.02')).toEqual({ transactionConflict: 0.05, throttle: 0.02 });
    expect(dynamoFaultsOf('')).toBeUndefined();
    expect(dynamoFaultsOf('fail=0.1', ['fail'])).toBeUndefined();
  });

  it('refuses unknown faults and rates outside 0..1, naming what it accepts', () => {
    expect(() => parseRates('throttle=2', ['throttle'])).toThrow(/rate from 0 to 1/);
    expect(() => parseRates('throttle=', ['throttle'])).toThrow(/rate from 0 to 1/);
    expect(() => parseRates('throttle', ['throttle'])).toThrow(/rate from 0 to 1/);
    expect(() => dynamoFaultsOf('conflict=0.1')).toThrow('unknown fault "conflict" (known: transaction-conflict, throttle)');
  });

  it('keeps a function name after the key', () => {
    expect(parseRates('fail:place-order=0.5,kill=0.1', ['fail', 'kill'])).toEqual({ 'fail:place-order': 0.5, kill: 0.1 });
  });
});

describe('FaultInjector', () => {
  it('faults at the given rate and only the operations each fault applies to', () => {
    let n = 0;
    const draws = [0.01, 0, 0.5, 0.01]; // a cancellation draws once more, for the conflicting action
    const faults = new FaultInjector({ transactionConflict: 0.05, throttle: 0.02 }, () => draws[n++ % draws.length]!);
    expect(faults.pick('TransactWriteItems', { TransactItems: [{}] })?.body.__type).toBe('com.amazonaws.dynamodb.v20120810#TransactionCanceledException');
    expect(faults.pick('PutItem', {})).toBeUndefined();
    expect(faults.pick('Query', {})?.body.__type).toBe('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException');
    expect(faults.pick('DescribeTable', {})).toBeUndefined();
    expect(faults.counts).toEqual({ transactionConflict: 1, throttle: 1 });
  });
});
