import { describe, expect, it } from 'vitest';
import { lookupsFor } from '../../../console/src/lookups';

// The order search's "Any": which look-ups a typed text can match, so the console asks
// the API only questions whose shape the API accepts.
describe('the order search guesses what was typed', () => {
  it('an order number is looked up by number only', () => {
    expect(lookupsFor('W20261201-0001', 'any')).toEqual(['number']);
    expect(lookupsFor('w20261201-0001', 'any')).toEqual(['number']);
  });

  it('an e-mail address by e-mail', () => {
    expect(lookupsFor('mei@example.com', 'any')).toEqual(['email']);
  });

  it('a phone number with spaces and a plus is a phone only; bare digits may also be a tracking number or payment reference', () => {
    expect(lookupsFor('+86 139 0123 8408', 'any')).toEqual(['phone']);
    expect(lookupsFor('13901238408', 'any')).toEqual(['phone', 'tracking', 'payment']);
  });

  it('letters and digits: a tracking number or a payment reference; a chosen kind is asked as chosen', () => {
    expect(lookupsFor('SF1234567890', 'any')).toEqual(['tracking', 'payment']);
    expect(lookupsFor('pi_3Nabc', 'any')).toEqual(['payment']);
    expect(lookupsFor('SF1234567890', 'tracking')).toEqual(['tracking']);
  });
});
