// Parsed expressions, reused. dynalite parses each condition, update, key condition and
// projection expression with a PEG parser on every request, and substitutes the request's
// attribute values while it parses (checking their types as it goes). Callers send the same
// few expressions over and over with new values, so the parse tree of an expression is kept
// once per (expression, names, value types) with placeholders where the values go, and a
// later request gets a copy of that tree with its own values put in.
//
// The first request of a kind is parsed as before (its errors and messages are dynalite's
// own); a tree is only kept when a second parse, with placeholder values of the same types,
// gives one too. Expressions whose validity depends on the values themselves and not only
// their types (BETWEEN's bounds, attribute_type's type name) are never kept.

type Value = Record<string, unknown>;
/** What dynalite's parsers read and update in their `context` option. */
export interface ParseContext {
  attrNames?: Record<string, string>;
  attrVals?: Record<string, Value>;
  unusedAttrNames?: Record<string, boolean>;
  unusedAttrVals?: Record<string, boolean>;
  isKeyCondition?: boolean;
  [other: string]: unknown;
}
export type Parse = (expression: string, options: { context: ParseContext }) => unknown;

interface Template {
  tree: unknown;
  /** placeholder object -> the value name it stands for */
  slots: Map<object, string>;
  usedNames: string[];
  usedValues: string[];
}

const VALUE_DEPENDENT = /between|attribute_type/i;
const TYPES = ['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M'];
const typeOf = (v: Value) => TYPES.find((t) => v[t] != null) ?? '?';

function keyOf(expression: string, ctx: ParseContext): string {
  let key = `${ctx.isKeyCondition ? 'k' : ''}\u0000${expression}\u0000`;
  for (const [n, v] of Object.entries(ctx.attrNames ?? {})) key += `${n}=${v}\u0001`;
  key += '\u0000';
  for (const [n, v] of Object.entries(ctx.attrVals ?? {})) key += `${n}:${typeOf(v)}\u0001`;
  return key;
}

/** The tree with each placeholder replaced by the request's value of that name; everything else copied. */
function fill(node: unknown, slots: Map<object, string>, values: Record<string, Value>): unknown {
  if (node === null || typeof node !== 'object') return node;
  const slot = slots.get(node);
  if (slot !== undefined) return values[slot];
  if (Array.isArray(node)) return node.map((n) => fill(n, slots, values));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(node)) out[k] = fill((node as Record<string, unknown>)[k], slots, values);
  return out;
}

function template(parse: Parse, expression: string, ctx: ParseContext): Template | undefined {
  const slots = new Map<object, string>();
  const attrVals: Record<string, Value> = {};
  for (const [name, value] of Object.entries(ctx.attrVals ?? {})) {
    const placeholder = { ...value };
    slots.set(placeholder, name);
    attrVals[name] = placeholder;
  }
  const names = Object.keys(ctx.attrNames ?? {});
  const unusedAttrNames = Object.fromEntries(names.map((n) => [n, true]));
  const unusedAttrVals = Object.fromEntries(Object.keys(attrVals).map((n) => [n, true]));
  let tree: unknown;
  try {
    tree = parse(expression, { context: { ...ctx, attrVals, unusedAttrNames, unusedAttrVals } });
  } catch {
    return undefined;
  }
  if (typeof tree === 'string' || tree === null || typeof tree !== 'object') return undefined;
  return {
    tree,
    slots,
    usedNames: names.filter((n) => !(n in unusedAttrNames)),
    usedValues: Object.keys(attrVals).filter((n) => !(n in unusedAttrVals)),
  };
}

/** A parse function that reuses the trees of expressions it has seen; at most `max` are kept. */
export function cachedParse(parse: Parse, max = 2000): Parse & { size(): number } {
  const cache = new Map<string, Template | null>();
  const cached = (expression: string, options: { context: ParseContext }) => {
    const ctx = options.context;
    if (VALUE_DEPENDENT.test(expression)) return parse(expression, options);
    const key = keyOf(expression, ctx);
    const hit = cache.get(key);
    if (hit) {
      for (const n of hit.usedNames) delete ctx.unusedAttrNames?.[n];
      for (const n of hit.usedValues) delete ctx.unusedAttrVals?.[n];
      return fill(hit.tree, hit.slots, ctx.attrVals ?? {});
    }
    const result = parse(expression, options);
    if (hit === undefined && typeof result !== 'string' && cache.size < max) cache.set(key, template(parse, expression, ctx) ?? null);
    return result;
  };
  return Object.assign(cached, { size: () => cache.size });
}
