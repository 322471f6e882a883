// Scheduled rules: rate(...) fires every period from the start; cron(...) fires at
// the matching UTC minutes (EventBridge's six fields: minutes hours day-of-month
// month day-of-week year, with * ? , - / and names; L and W and # are not supported).
import { randomUUID } from 'node:crypto';
import type { RuleSpec } from './template';

export type Schedule = { kind: 'rate'; everyMs: number } | { kind: 'cron'; matches: (d: Date) => boolean };

const UNIT_MS: Record<string, number> = { minute: 60_000, minutes: 60_000, hour: 3_600_000, hours: 3_600_000, day: 86_400_000, days: 86_400_000 };
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function field(text: string, min: number, max: number, names: string[] = [], nameBase = min): (v: number) => boolean {
  if (text === '*' || text === '?') return () => true;
  const allowed = new Set<number>();
  const num = (s: string) => {
    const i = names.indexOf(s.toUpperCase());
    const n = i >= 0 ? i + nameBase : Number(s);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`cron: ${s} is out of range ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`cron: bad step in ${part}`);
    let lo: number;
    let hi: number;
    if (range === '*') [lo, hi] = [min, max];
    else if (range!.includes('-')) [lo, hi] = range!.split('-').map(num) as [number, number];
    else [lo, hi] = [num(range!), stepText === undefined ? num(range!) : max];
    for (let v = lo; v <= hi; v += step) allowed.add(v);
  }
  return (v) => allowed.has(v);
}

export function parseSchedule(expression: string): Schedule {
  const rate = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) throw new Error(`${expression}: the rate must be positive`);
    return { kind: 'rate', everyMs: n * UNIT_MS[rate[2]!]! };
  }
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (cron) {
    const parts = cron[1]!.trim().split(/\s+/);
    if (parts.length !== 6) throw new Error(`${expression}: cron needs six fields`);
    if (parts.some((p) => /[LW#]/.test(p.replace(/[A-Z]{3}/gi, (n) => (MONTH_NAMES.includes(n.toUpperCase()) || DAY_NAMES.includes(n.toUpperCase()) ? '0' : n))))) {
      throw new Error(`${expression}: L, W and # are not supported by the local scheduler`);
    }
    const [min, hour, dom, month, dow, year] = parts as [string, string, string, string, string, string];
    const fMin = field(min, 0, 59);
    const fHour = field(hour, 0, 23);
    const fDom = field(dom, 1, 31);
    const fMonth = field(month, 1, 12, MONTH_NAMES, 1);
    // EventBridge numbers days of the week 1 (Sunday) to 7 (Saturday).
    const fDow = field(dow, 1, 7, DAY_NAMES, 1);
    const fYear = field(year, 1970, 2199);
    return {
      kind: 'cron',
      matches: (d) =>
        fMin(d.getUTCMinutes()) &&
        fHour(d.getUTCHours()) &&
        fDom(d.getUTCDate()) &&
        fMonth(d.getUTCMonth() + 1) &&
        fDow(d.getUTCDay() + 1) &&
        fYear(d.getUTCFullYear()),
    };
  }
  throw new Error(`${expression}: not a rate(...) or cron(...) expression`);
}

export function scheduledEvent(rule: RuleSpec, ruleArn: string, region: string, accountId: string, at: Date) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: accountId,
    time: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources: [ruleArn],
    detail: {},
  };
}

export interface Scheduler {
  stop(): void;
}

/** Fires `fire(rule, at)` for every enabled scheduled rule. */
export function startScheduler(rules: RuleSpec[], fire: (rule: RuleSpec, at: Date) => void, log: (line: string) => void): Scheduler {
  const timers: NodeJS.Timeout[] = [];
  const crons: { rule: RuleSpec; matches: (d: Date) => boolean }[] = [];
  for (const rule of rules) {
    if (!rule.schedule || !rule.enabled) continue;
    let s: Schedule;
    try {
      s = parseSchedule(rule.schedule);
    } catch (err) {
      log(`WARNING scheduler: rule ${rule.logicalId}: ${(err as Error).message}`);
      continue;
    }
    if (s.kind === 'rate') timers.push(setInterval(() => fire(rule, new Date()), s.everyMs));
    else crons.push({ rule, matches: s.matches });
  }
  if (crons.length) {
    let lastMinute = Math.floor(Date.now() / 60_000);
    timers.push(
      setInterval(() => {
        const minute = Math.floor(Date.now() / 60_000);
        for (let m = lastMinute + 1; m <= minute; m++) {
          const at = new Date(m * 60_000);
          for (const c of crons) if (c.matches(at)) fire(c.rule, at);
        }
        lastMinute = minute;
      }, 1000),
    );
  }
  for (const t of timers) t.unref();
  return { stop: () => timers.forEach((t) => clearInterval(t)) };
}
