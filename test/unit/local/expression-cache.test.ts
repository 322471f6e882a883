import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { cachedParse, type Parse, type ParseContext } from '../../../infra/local/dynamodb/expression-cache';

const require = createRequire(import.meta.url);
// the parsers as dynalite's validations call them (with its reserved-word check and comparison)
const raw = (name: string) => (require(`dynalite/db/${name}`) as { parse: Parse }).parse;
const { isReserved } = { isReserved: () => false };
const compare = (require('dynalite/db') as { compare: unknown }).compare;

function context(names: Record<string, string>, values: Record<string, Record<string, unknown>>): ParseContext {
  return {
    attrNames: names, attrVals: values, isReserved, compare,
    unusedAttrNames: Object.fromEntries(Object.keys(names).map((n) => [n, true])),
    unusedAttrVals: Object.fromEntries(Object.keys(values).map((n) => [n, true])),
  };
}

const CONDITION = '#v = :v AND (attribute_not_exists(#k) OR #k <= :k)';
const NAMES = { '#v': 'version', '#k': 'lastOrderKey' };

describe('the parsed-expression cache beside dynalite', () => {
  it('gives a later request the tree the parser gives it, with its own values, parsing once', () => {
    const parse = vi.fn(raw('conditionParser'));
    const cached = cachedParse(parse);
    cached(CONDITION, { context: context(NAMES, { ':v': { N: '1' }, ':k': { S: 'a' } }) });
    const calls = parse.mock.calls.length;

    const ctx = context(NAMES, { ':v': { N: '7' }, ':k': { S: 'z#2' } });
    const tree = cached(CONDITION, { context: ctx });
    expect(parse.mock.calls.length).toBe(calls);
    expect(tree).toEqual(raw('conditionParser')(CONDITION, { context: context(NAMES, { ':v': { N: '7' }, ':k': { S: 'z#2' } }) }));
    expect(JSON.stringify(tree)).toContain('z#2');
    // names and values it used are no longer "unused" (dynalite refuses unused ones)
    expect(ctx.unusedAttrNames).toEqual({});
    expect(ctx.unusedAttrVals).toEqual({});
  });

  it('keeps the answer of a value of another type, an unused value and a syntax error to the parser', () => {
    const cached = cachedParse(raw('updateParser'));
    const update = 'ADD #n :n';
    cached(update, { context: context({ '#n': 'orderCount' }, { ':n': { N: '1' } }) });
    expect(cached(update, { context: context({ '#n': 'orderCount' }, { ':n': { S: 'one' } }) })).toMatch(/Incorrect operand type.*ADD/);

    const unused = context({ '#n': 'orderCount' }, { ':n': { N: '2' }, ':spare': { S: 'x' } });
    cached(update, { context: unused });
    expect(unused.unusedAttrVals).toEqual({ ':spare': true });

    expect(() => cached('SET = :n', { context: context({}, { ':n': { N: '1' } }) })).toThrow();
  });

  it('parses BETWEEN every time: its bounds are checked by value', () => {
    const parse = vi.fn(raw('conditionParser'));
    const cached = cachedParse(parse);
    const between = '#v BETWEEN :lo AND :hi';
    expect(cached(between, { context: context({ '#v': 'v' }, { ':lo': { N: '1' }, ':hi': { N: '5' } }) })).not.toBeTypeOf('string');
    expect(cached(between, { context: context({ '#v': 'v' }, { ':lo': { N: '9' }, ':hi': { N: '5' } }) })).toMatch(/upper bound to be greater/);
    expect(cached.size()).toBe(0);
  });
});
