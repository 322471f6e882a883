// A rule target's InputTransformer as EventBridge applies it: each InputPathsMap entry is a
// JSONPath into the event (`$.detail.data.orderId`, `$.detail-type`, `$.detail.lines[0]`),
// and each `<name>` of InputTemplate is replaced by that value. How a value is written
// depends on where the placeholder stands:
//   - outside a JSON string (`{"id": <id>}`): as JSON, so a string gets its quotes;
//   - inside a JSON string (`"order <number>"`): a string's characters, escaped for JSON,
//     without quotes (other values as their JSON text, escaped the same way);
//   - in a template that is not JSON (plain text): a string as it is, other values as JSON.
// A path that names nothing gives `null` (an empty string inside a string). Predefined
// placeholders: `<aws.events.rule-arn>`, `<aws.events.rule-name>`,
// `<aws.events.event.ingestion-time>`, `<aws.events.event>` and `<aws.events.event.json>`
// (the whole event). A `<…>` that names no placeholder is left as it is.

export interface InputTransformerSpec {
  InputPathsMap?: Record<string, string>;
  InputTemplate: string;
}

export interface TransformContext {
  ruleArn?: string;
  ruleName?: string;
  /** When the bus received the event (ISO 8601); default: the event's time. */
  ingestionTime?: string;
}

/** The value a JSONPath of InputPathsMap names in `value` (dots and [index] steps), or undefined. */
export function jsonPath(value: unknown, path: string): unknown {
  if (path === '$') return value;
  const steps: (string | number)[] = [];
  for (const part of path.replace(/^\$\.?/, '').split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) steps.push(m[1]);
    for (const i of m[2]!.matchAll(/\[(\d+)\]/g)) steps.push(Number(i[1]));
  }
  return steps.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), value);
}

const escapeInString = (text: string) => JSON.stringify(text).slice(1, -1);

export function transformInput(t: InputTransformerSpec, event: { time?: string } & Record<string, unknown>, ctx: TransformContext = {}): string {
  const vars = new Map<string, unknown>();
  for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) vars.set(name, jsonPath(event, path));
  const predefined: Record<string, unknown> = {
    'aws.events.rule-arn': ctx.ruleArn,
    'aws.events.rule-name': ctx.ruleName,
    'aws.events.event.ingestion-time': ctx.ingestionTime ?? event.time,
    'aws.events.event': event,
    'aws.events.event.json': event,
  };
  const known = (name: string) => vars.has(name) || name in predefined;
  const valueOf = (name: string) => (vars.has(name) ? vars.get(name) : predefined[name]);

  const template = t.InputTemplate;
  const json = /^\s*[[{"]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (json && inString && ch === '\\') {
      out += ch + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (json && ch === '"') {
      inString = !inString;
      out += ch;
      continue;
    }
    const placeholder = ch === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    if (!placeholder || !known(placeholder[1]!)) {
      out += ch;
      continue;
    }
    const v = valueOf(placeholder[1]!);
    if (!json) out += typeof v === 'string' ? v : JSON.stringify(v ?? null);
    else if (inString) out += v === undefined || v === null ? '' : escapeInString(typeof v === 'string' ? v : JSON.stringify(v));
    else out += JSON.stringify(v ?? null);
    i += placeholder[0].length - 1;
  }
  return out;
}
