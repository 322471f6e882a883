// Stands in for jsonpath-plus in function bundles (see NO_JSONPATH in oms-function.ts):
// json-rules-engine imports it for conditions with a `path`, which no rule of ours has.
export function JSONPath(): never {
  throw new Error('JSON paths are not bundled: rule conditions must use flat facts');
}
