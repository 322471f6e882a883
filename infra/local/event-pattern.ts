// EventBridge event-pattern matching, used for bus rules and for Lambda event
// filtering (stream FilterCriteria). Pure: no I/O, no clock.
//
// Semantics follow the EventBridge documentation: every key of the pattern must
// match (AND); an array of matchers matches when any matcher matches (OR); an event
// array matches when any of its elements matches; `$or` holds alternative
// sub-patterns; leaves may be literals or content filters (prefix, suffix,
// anything-but, numeric, exists, equals-ignore-case, wildcard, cidr).

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: unknown };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True when `event` matches `pattern` (an object, or its JSON text). */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  const p = typeof pattern === 'string' ? (JSON.parse(pattern) as unknown) : pattern;
  if (!isObj(p)) throw new Error('event pattern must be a JSON object');
  return matchObject(p, event);
}

/** Throws a readable error when a pattern uses something this matcher does not know. */
export function validatePattern(pattern: unknown): void {
  const p = typeof pattern === 'string' ? (JSON.parse(pattern) as unknown) : pattern;
  if (!isObj(p)) throw new Error('event pattern must be a JSON object');
  walk(p);
  function walk(node: Obj): void {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$or') {
        if (!Array.isArray(v) || v.length < 2) throw new Error('$or needs an array of at least two patterns');
        v.forEach((alt) => (isObj(alt) ? walk(alt) : fail(`$or alternative must be an object`)));
      } else if (Array.isArray(v)) {
        v.forEach((m) => {
          if (isObj(m)) checkFilter(m);
        });
      } else if (isObj(v)) walk(v);
      else fail(`value of "${k}" must be an array or an object`);
    }
  }
  function checkFilter(m: Obj): void {
    const known = ['prefix', 'suffix', 'anything-but', 'numeric', 'exists', 'equals-ignore-case', 'wildcard', 'cidr'];
    const keys = Object.keys(m);
    if (keys.length !== 1 || !known.includes(keys[0]!)) fail(`unknown content filter ${JSON.stringify(m)}`);
  }
  function fail(msg: string): never {
    throw new Error(`invalid event pattern: ${msg}`);
  }
}

function matchObject(pattern: Obj, value: unknown): boolean {
  // An array of objects matches a nested pattern when one of its elements does.
  if (Array.isArray(value)) return value.some((v) => matchObject(pattern, v));
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!(sub as unknown[]).some((alt) => matchObject(alt as Obj, value))) return false;
      continue;
    }
    const field = isObj(value) ? value[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub, field)) return false;
    } else if (isObj(sub)) {
      if (field === undefined) {
        // A nested pattern on a missing field can still match through exists:false.
        if (!matchObject(sub, undefined)) return false;
      } else if (!matchObject(sub, field)) return false;
    } else {
      return false;
    }
  }
  return true;
}

function matchLeaf(matchers: unknown[], field: unknown): boolean {
  if (field === undefined) {
    return matchers.some((m) => isObj(m) && 'exists' in m && m.exists === false);
  }
  const values: unknown[] = Array.isArray(field) ? field : [field];
  // An empty event array only matches exists:true (the field is present).
  if (values.length === 0) return matchers.some((m) => isObj(m) && m.exists === true);
  return matchers.some((m) => values.some((v) => matchOne(m, v)));
}

function matchOne(m: unknown, v: unknown): boolean {
  if (!isObj(m)) return literalEquals(m, v);
  const [op, arg] = Object.entries(m)[0] ?? [];
  switch (op) {
    case 'exists':
      return arg === true;
    case 'prefix':
      return typeof v === 'string' && stringTest(arg, (s, ci) => (ci ? v.toLowerCase().startsWith(s.toLowerCase()) : v.startsWith(s)));
    case 'suffix':
      return typeof v === 'string' && stringTest(arg, (s, ci) => (ci ? v.toLowerCase().endsWith(s.toLowerCase()) : v.endsWith(s)));
    case 'equals-ignore-case':
      return typeof v === 'string' && typeof arg === 'string' && v.toLowerCase() === arg.toLowerCase();
    case 'wildcard':
      return typeof v === 'string' && typeof arg === 'string' && wildcard(arg, v);
    case 'numeric':
      return typeof v === 'number' && numeric(arg as unknown[], v);
    case 'cidr':
      return typeof v === 'string' && typeof arg === 'string' && cidr(arg, v);
    case 'anything-but':
      return anythingBut(arg, v);
    default:
      return false;
  }
}

function literalEquals(m: unknown, v: unknown): boolean {
  if (typeof m === 'number' && typeof v === 'number') return m === v;
  return m === v;
}

/** A string filter argument is a plain string or `{ "equals-ignore-case": s }`. */
function stringTest(arg: unknown, test: (s: string, ignoreCase: boolean) => boolean): boolean {
  if (typeof arg === 'string') return test(arg, false);
  if (isObj(arg) && typeof arg['equals-ignore-case'] === 'string') return test(arg['equals-ignore-case'], true);
  return false;
}

function anythingBut(arg: unknown, v: unknown): boolean {
  if (Array.isArray(arg)) return !arg.some((a) => literalEquals(a, v));
  if (isObj(arg)) {
    const [op, inner] = Object.entries(arg)[0] ?? [];
    if (typeof v !== 'string') return false;
    const list = Array.isArray(inner) ? inner : [inner];
    switch (op) {
      case 'prefix':
        return !list.some((s) => typeof s === 'string' && v.startsWith(s));
      case 'suffix':
        return !list.some((s) => typeof s === 'string' && v.endsWith(s));
      case 'equals-ignore-case':
        return !list.some((s) => typeof s === 'string' && v.toLowerCase() === s.toLowerCase());
      case 'wildcard':
        return !list.some((s) => typeof s === 'string' && wildcard(s, v));
      default:
        return false;
    }
  }
  return !literalEquals(arg, v);
}

function numeric(spec: unknown[], v: number): boolean {
  for (let i = 0; i + 1 < spec.length; i += 2) {
    const op = spec[i];
    const n = Number(spec[i + 1]);
    const ok =
      op === '=' ? v === n : op === '<' ? v < n : op === '<=' ? v <= n : op === '>' ? v > n : op === '>=' ? v >= n : false;
    if (!ok) return false;
  }
  return spec.length >= 2;
}

function wildcard(pattern: string, v: string): boolean {
  // `*` matches any run of characters; `\*` is a literal star.
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '*' || pattern[i + 1] === '\\')) {
      cur += pattern[++i];
    } else if (c === '*') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${parts.map(escape).join('.*')}$`, 's').test(v);
}

function cidr(range: string, ip: string): boolean {
  const [base, bitsText] = range.split('/');
  const toInt = (s: string) => {
    const p = s.split('.').map(Number);
    if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return undefined;
    return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
  };
  const a = toInt(base ?? '');
  const b = toInt(ip);
  const bits = Number(bitsText ?? 32);
  if (a === undefined || b === undefined) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (a & mask) === (b & mask);
}

export type { Json };
