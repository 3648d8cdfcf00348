/**
 * The `vars` input: a YAML (or JSON, which is YAML) mapping that templates see as `vars`.
 * The YAML parser is loaded only when `vars` is given: most runs never pay its start-up cost.
 */
import { InputError } from '../errors.js';

export type Vars = Record<string, unknown>;

const EXPECTED =
  'expected a YAML or JSON mapping, e.g. "environment: production" on one line and "version: 1.4.2" on the next';

export async function parseVars(text: string | undefined): Promise<Vars> {
  if (!text) return {};
  const { parseDocument, isScalar, visit } = await import('yaml');
  let value: unknown;
  try {
    // Unique keys: a repeated key is a mistake, not an override. Aliases stay bounded (the
    // parser's maxAliasCount), so a YAML bomb cannot exhaust the runner.
    const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
    if (document.errors[0]) throw document.errors[0];
    // A number that would not print as written (`version: 1.10`, `id: 007`) stays the text written.
    visit(document, {
      Scalar(_key, node) {
        if (
          isScalar(node) &&
          typeof node.value === 'number' &&
          typeof node.source === 'string' &&
          String(node.value) !== node.source
        ) {
          node.value = node.source;
        }
      },
    });
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    throw new InputError('vars', `${EXPECTED}; ${message.replace(/:$/, '')}`, { cause: error });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError('vars', `${EXPECTED}; got ${Array.isArray(value) ? 'a list' : `a single ${typeof value}`}`);
  }
  return value as Vars;
}
