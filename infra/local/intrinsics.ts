// Resolves CloudFormation intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub,
// Fn::ImportValue, ...) to the names the local cloud gives each resource, so the
// environment a function sees locally is the one the template would give it in AWS,
// with local names and endpoints in place of physical ids.
import { createHash } from 'node:crypto';

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  Metadata?: Record<string, any>;
  Condition?: string;
}

export interface CfnTemplate {
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
}

export interface StackTemplate {
  stackName: string;
  template: CfnTemplate;
}

/** Where the local services live, so names can point at them. */
export interface LocalNaming {
  region: string;
  accountId: string;
  /** Base URL of the local SQS endpoint (queue URLs are built on it). */
  sqsEndpoint: string;
  /** Stream ARN of a local table, once the table exists. */
  streamArn?: (tableName: string) => string | undefined;
  /** The local value of a Secrets Manager secret (by ARN), for dynamic references. */
  secretValue?: (secretArn: string) => string;
  /** Where the local gateway serves the HTTP API: the API's ApiEndpoint. */
  apiEndpoint?: string;
}

/** Marker for AWS::NoValue: the property is dropped from its parent. */
const NO_VALUE = Symbol('AWS::NoValue');

const shortId = (seed: string, len: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789') => {
  const bytes = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < len; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
};

export class Resolver {
  private readonly stacks = new Map<string, StackTemplate>();

  constructor(
    stacks: StackTemplate[],
    private readonly naming: LocalNaming,
  ) {
    for (const s of stacks) this.stacks.set(s.stackName, s);
  }

  get region() {
    return this.naming.region;
  }

  get accountId() {
    return this.naming.accountId;
  }

  resource(stack: string, logicalId: string): CfnResource {
    const r = this.stacks.get(stack)?.template.Resources?.[logicalId];
    if (!r) throw new Error(`${stack}: no resource ${logicalId}`);
    return r;
  }

  /** Resolves every intrinsic inside `value` (deeply), then the dynamic references in its strings. */
  resolve(stack: string, value: unknown): any {
    const out = this.walk(stack, value);
    return out === NO_VALUE ? undefined : this.dynamicReferences(out);
  }

  /**
   * CloudFormation's dynamic references, `{{resolve:secretsmanager:<id>:SecretString:<json-key>:<stage>:<version>}}`,
   * replaced by the local value of the secret (see secrets.ts). Any other service's
   * reference fails startup with its text rather than reaching a function unresolved.
   */
  private dynamicReferences(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((v) => this.dynamicReferences(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.dynamicReferences(v)]));
    }
    if (typeof value !== 'string' || !value.includes('{{resolve:')) return value;
    return value.replace(/\{\{resolve:([^}]*)\}\}/g, (whole, ref: string) => {
      const parts = ref.split(':');
      if (parts[0] !== 'secretsmanager' || !this.naming.secretValue) throw new Error(`dynamic reference ${whole} is not supported by the local cloud`);
      // the secret id is a name or an ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)
      const idParts = parts[1] === 'arn' ? 7 : 1;
      const secretId = parts.slice(1, 1 + idParts).join(':');
      const [field = 'SecretString', jsonKey = ''] = parts.slice(1 + idParts);
      if (field !== 'SecretString') throw new Error(`dynamic reference ${whole}: only SecretString is supported`);
      const secret = this.naming.secretValue(secretId);
      return jsonKey ? String((JSON.parse(secret) as Record<string, unknown>)[jsonKey]) : secret;
    });
  }

  private walk(stack: string, value: unknown): any {
    if (Array.isArray(value)) return value.map((v) => this.walk(stack, v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition')) {
      return this.intrinsic(stack, keys[0]!, obj[keys[0]!]);
    }
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = this.walk(stack, obj[k]);
      if (v !== NO_VALUE) out[k] = v;
    }
    return out;
  }

  private intrinsic(stack: string, fn: string, arg: any): any {
    switch (fn) {
      case 'Ref':
        return this.ref(stack, String(arg));
      case 'Fn::GetAtt': {
        const [id, ...attr] = Array.isArray(arg) ? arg : String(arg).split('.');
        return this.getAtt(stack, String(id), attr.map(String).join('.'));
      }
      case 'Fn::Join': {
        const [sep, parts] = arg as [string, unknown];
        const list = this.walk(stack, parts) as unknown[];
        return list.map(String).join(sep);
      }
      case 'Fn::Sub':
        return this.sub(stack, arg);
      case 'Fn::ImportValue':
        return this.importValue(String(this.walk(stack, arg)));
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (this.walk(stack, list) as unknown[])[Number(this.walk(stack, index))];
      }
      case 'Fn::Split': {
        const [sep, text] = arg as [string, unknown];
        return String(this.walk(stack, text)).split(sep);
      }
      case 'Fn::GetAZs':
        return ['a', 'b', 'c'].map((z) => `${this.naming.region}${z}`);
      case 'Fn::Base64':
        return Buffer.from(String(this.walk(stack, arg))).toString('base64');
      case 'Fn::FindInMap': {
        const [map, top, second] = (arg as unknown[]).map((a) => String(this.walk(stack, a)));
        return this.stacks.get(stack)?.template.Mappings?.[map!]?.[top!]?.[second!];
      }
      case 'Fn::If': {
        const [cond, yes, no] = arg as [string, unknown, unknown];
        return this.walk(stack, this.condition(stack, cond) ? yes : no);
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map((x) => this.walk(stack, x));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.walk(stack, (arg as unknown[])[0]);
      case 'Fn::And':
        return (arg as unknown[]).every((x) => this.walk(stack, x));
      case 'Fn::Or':
        return (arg as unknown[]).some((x) => this.walk(stack, x));
      case 'Condition':
        return this.condition(stack, String(arg));
      case 'Fn::ToJsonString':
        return JSON.stringify(this.walk(stack, arg));
      case 'Fn::Length':
        return (this.walk(stack, arg) as unknown[]).length;
      default:
        throw new Error(`${stack}: intrinsic ${fn} is not supported by the local cloud`);
    }
  }

  condition(stack: string, name: string): boolean {
    const c = this.stacks.get(stack)?.template.Conditions?.[name];
    if (c === undefined) throw new Error(`${stack}: no condition ${name}`);
    return Boolean(this.walk(stack, c));
  }

  private sub(stack: string, arg: unknown): string {
    const [text, vars] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>]) : [String(arg), {}];
    return text.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in vars) return String(this.walk(stack, vars[name]));
      if (name.includes('.')) {
        const dot = name.indexOf('.');
        return String(this.getAtt(stack, name.slice(0, dot), name.slice(dot + 1)));
      }
      return String(this.ref(stack, name));
    });
  }

  ref(stack: string, id: string): any {
    switch (id) {
      case 'AWS::Region':
        return this.naming.region;
      case 'AWS::AccountId':
        return this.naming.accountId;
      case 'AWS::StackName':
        return stack;
      case 'AWS::StackId':
        return `arn:aws:cloudformation:${this.naming.region}:${this.naming.accountId}:stack/${stack}/${shortId(stack, 8)}`;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
      case 'AWS::NotificationARNs':
        return [];
    }
    const param = this.stacks.get(stack)?.template.Parameters?.[id];
    if (param) return param.Default ?? '';
    const r = this.resource(stack, id);
    switch (r.Type) {
      case 'AWS::SQS::Queue':
        return this.queueUrl(stack, id);
      case 'AWS::Cognito::UserPool':
        return `${this.naming.region}_${shortId(`${stack}/${id}`, 9, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`;
      case 'AWS::Cognito::UserPoolClient':
        return shortId(`${stack}/${id}`, 26);
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${this.naming.region}:${this.naming.accountId}:secret:${this.physicalName(stack, id)}-${shortId(`${stack}/${id}`, 6)}`;
      case 'AWS::Cognito::UserPoolResourceServer':
        return String(this.resolve(stack, r.Properties?.Identifier));
      case 'AWS::ApiGatewayV2::Api':
      case 'AWS::ApiGatewayV2::Authorizer':
      case 'AWS::ApiGatewayV2::Integration':
      case 'AWS::ApiGatewayV2::Route':
        return shortId(`${stack}/${id}`, 10);
      default:
        return this.physicalName(stack, id);
    }
  }

  /** The local physical name of a resource: the template's explicit name, else `<stack>-<logicalId>`. */
  physicalName(stack: string, id: string): string {
    const r = this.resource(stack, id);
    const explicit: Record<string, string> = {
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::DynamoDB::GlobalTable': 'TableName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::Events::EventBus': 'Name',
      'AWS::Events::Rule': 'Name',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::Cognito::UserPool': 'UserPoolName',
      'AWS::SecretsManager::Secret': 'Name',
      'AWS::KinesisFirehose::DeliveryStream': 'DeliveryStreamName',
      'AWS::Events::ApiDestination': 'Name',
      'AWS::Events::Connection': 'Name',
    };
    const prop = explicit[r.Type];
    const given = prop ? r.Properties?.[prop] : undefined;
    if (given !== undefined) return String(this.resolve(stack, given));
    if (r.Type === 'AWS::SQS::Queue' && r.Properties?.FifoQueue) return `${stack}-${id}.fifo`;
    return `${stack}-${id}`;
  }

  queueUrl(stack: string, id: string): string {
    return `${this.naming.sqsEndpoint}/${this.naming.accountId}/${this.physicalName(stack, id)}`;
  }

  getAtt(stack: string, id: string, attr: string): any {
    const r = this.resource(stack, id);
    const { region, accountId } = this.naming;
    const name = () => this.physicalName(stack, id);
    switch (`${r.Type}.${attr}`) {
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:aws:dynamodb:${region}:${accountId}:table/${name()}`;
      case 'AWS::DynamoDB::Table.StreamArn':
        return this.naming.streamArn?.(name()) ?? `arn:aws:dynamodb:${region}:${accountId}:table/${name()}/stream/local`;
      case 'AWS::SQS::Queue.Arn':
        return `arn:aws:sqs:${region}:${accountId}:${name()}`;
      case 'AWS::SQS::Queue.QueueName':
        return name();
      case 'AWS::SQS::Queue.QueueUrl':
        return this.queueUrl(stack, id);
      case 'AWS::Events::EventBus.Arn':
        return `arn:aws:events:${region}:${accountId}:event-bus/${name()}`;
      case 'AWS::Events::EventBus.Name':
        return name();
      case 'AWS::Events::Rule.Arn':
        return `arn:aws:events:${region}:${accountId}:rule/${name()}`;
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${region}:${accountId}:function:${name()}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${accountId}:role/${name()}`;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${region}:${accountId}:log-group:${name()}:*`;
      case 'AWS::SNS::Topic.TopicArn':
        return `arn:aws:sns:${region}:${accountId}:${name()}`;
      case 'AWS::Cognito::UserPool.Arn':
        return `arn:aws:cognito-idp:${region}:${accountId}:userpool/${this.ref(stack, id)}`;
      case 'AWS::Cognito::UserPool.ProviderURL':
        return `https://cognito-idp.${region}.amazonaws.com/${this.ref(stack, id)}`;
      case 'AWS::Cognito::UserPool.ProviderName':
        return `cognito-idp.${region}.amazonaws.com/${this.ref(stack, id)}`;
      case 'AWS::Cognito::UserPool.UserPoolId':
        return this.ref(stack, id);
      case 'AWS::ApiGatewayV2::Api.ApiEndpoint':
        if (this.naming.apiEndpoint) return this.naming.apiEndpoint;
        return `https://${this.ref(stack, id)}.execute-api.${region}.amazonaws.com`;
      case 'AWS::ApiGatewayV2::Api.ApiId':
        return this.ref(stack, id);
      case 'AWS::Events::ApiDestination.Arn':
        return `arn:aws:events:${region}:${accountId}:api-destination/${name()}/${shortId(`${stack}/${id}`, 8)}`;
      case 'AWS::Events::Connection.Arn':
        return `arn:aws:events:${region}:${accountId}:connection/${name()}/${shortId(`${stack}/${id}`, 8)}`;
      case 'AWS::KinesisFirehose::DeliveryStream.Arn':
        return `arn:aws:firehose:${region}:${accountId}:deliverystream/${name()}`;
    }
    if (attr === 'Arn') {
      const service = r.Type.split('::')[1]!.toLowerCase();
      return `arn:aws:${service}:${region}:${accountId}:${name()}`;
    }
    return `${name()}.${attr}`;
  }

  /** The value of the export called `name`, in whichever stack declares it. */
  importValue(name: string): any {
    for (const s of this.stacks.values()) {
      for (const out of Object.values(s.template.Outputs ?? {})) {
        if (out.Export && String(this.resolve(s.stackName, out.Export.Name)) === name) {
          return this.resolve(s.stackName, out.Value);
        }
      }
    }
    throw new Error(`Fn::ImportValue: no stack exports ${name}`);
  }
}
