import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INPUT_DEFAULTS } from '../src/inputs.js';
import { OUTPUT_NAMES } from '../src/outputs.js';
import { readActionYml, ROOT } from './harness.ts';

const action = readActionYml();
const contract = readFileSync(join(ROOT, '..', 'shared', 'CONTRACT.md'), 'utf8');

/** The backticked names in the first column of the table under `## <heading>` in CONTRACT.md. */
function contractNames(heading: string): Set<string> {
  const section = contract.split(/^## /m).find((s) => s.startsWith(heading));
  if (!section) throw new Error(`CONTRACT.md has no "## ${heading}" section`);
  const names = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('|') || /^\|\s*-/.test(line)) continue;
    const firstCell = line.split('|')[1] ?? '';
    for (const match of firstCell.matchAll(/`([a-z_]+)`/g)) names.add(match[1] as string);
  }
  return names;
}

describe('action.yml agrees with the code', () => {
  it('declares exactly the inputs the code reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort());
  });

  it("declares each input's default as the code does (no default: none)", () => {
    for (const [name, codeDefault] of Object.entries(INPUT_DEFAULTS)) {
      const declared = action.inputs[name]?.default;
      expect(declared === undefined ? '' : String(declared), name).toBe(codeDefault);
      // A default must be a string in YAML, as the runner passes it, not a number or boolean.
      if (declared !== undefined) expect(typeof declared, name).toBe('string');
    }
  });

  it('declares exactly the outputs the code writes', () => {
    expect(Object.keys(action.outputs).sort()).toEqual([...OUTPUT_NAMES].sort());
  });

  it('runs dist/index.js on node24', () => {
    expect(action.runs.using).toBe('node24');
    expect(action.runs.main).toBe('dist/index.js');
  });

  it('describes every input and output', () => {
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect(typeof spec.description, name).toBe('string');
      expect(spec.description.trim().length, name).toBeGreaterThan(10);
    }
  });

  it('does not mark an input required that has an environment fallback or a default', () => {
    for (const name of ['x_api_key', 'instance', 'api_key', 'endpoint', 'max_length', 'timeout', 'retries', 'dry_run', 'fail_on_error']) {
      expect(action.inputs[name]?.required, name).not.toBe(true);
    }
  });
});

describe('action.yml agrees with CONTRACT.md', () => {
  const inputs = contractNames('Inputs');
  const outputs = contractNames('Outputs');

  it('CONTRACT.md tables were read', () => {
    expect(inputs.size).toBeGreaterThan(10);
    expect(outputs.size).toBeGreaterThan(5);
  });

  it('every input is a CONTRACT input', () => {
    for (const name of Object.keys(action.inputs)) expect(inputs, name).toContain(name);
  });

  it('every output is a CONTRACT output', () => {
    for (const name of Object.keys(action.outputs)) expect(outputs, name).toContain(name);
  });

  it('defaults agree with CONTRACT.md where it gives one', () => {
    const row = (name: string): string =>
      contract.split('\n').find((l) => l.startsWith(`| \`${name}\` |`))?.split('|')[2]?.trim() ?? '';
    for (const name of ['max_length', 'timeout', 'retries', 'dry_run', 'fail_on_error']) {
      expect(row(name), name).toBe(`\`${INPUT_DEFAULTS[name as keyof typeof INPUT_DEFAULTS]}\``);
    }
    expect(contract).toContain(`Default endpoint: \`${INPUT_DEFAULTS.endpoint}\``);
    for (const name of ['x_api_key', 'instance', 'api_key']) {
      expect(row(name), name).toBe(`env \`HOTLINE_${name.toUpperCase()}\``);
    }
  });
});
