import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ENDPOINT, ENV_FALLBACKS, INPUT_DEFAULTS } from '../../../src/delivery/inputs.js';
import { OUTPUT_NAMES } from '../../../src/delivery/results.js';
import { readActionYml, ROOT } from '../../support/harness.ts';

const action = readActionYml();

describe('action.yml agrees with the code', () => {
  it('declares exactly the inputs the code reads', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort());
  });

  it("declares each input's default as the code does (no default: none)", () => {
    for (const [name, codeDefault] of Object.entries(INPUT_DEFAULTS)) {
      const declared = action.inputs[name]?.default;
      // An expression (github_token's `${{ github.token }}`) is the runner's to fill in: the code has none.
      const expression = typeof declared === 'string' && /^\$\{\{.*\}\}$/.test(declared);
      expect(declared === undefined || expression ? '' : String(declared), name).toBe(codeDefault);
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
    for (const name of [
      'x_api_key',
      'instance',
      'api_key',
      'endpoint',
      'max_length',
      'timeout',
      'retries',
      'dry_run',
      'fail_on_error',
    ]) {
      expect(action.inputs[name]?.required, name).not.toBe(true);
    }
  });
});

describe("action.yml's descriptions agree with the code", () => {
  it('names the environment variable each input falls back to', () => {
    for (const [name, variable] of Object.entries(ENV_FALLBACKS)) {
      const description = action.inputs[name]?.description ?? '';
      // The keys say it as their default; github_token, whose default is the workflow's token, as its fallback.
      if (action.inputs[name]?.default === undefined)
        expect(description, name).toContain(`Default: the \`${variable}\` environment variable.`);
      else expect(description, name).toContain(`the \`${variable}\` environment variable`);
    }
  });

  it('gives the default endpoint the code uses', () => {
    expect(action.inputs.endpoint?.default).toBe(DEFAULT_ENDPOINT);
  });
});

describe('the project stands on its own', () => {
  it('no source, test, script or CI file reads a folder beside the repository', () => {
    // A clone on GitHub has nothing beside it: a path out of the repository breaks `npm test` there.
    const outside = new RegExp(String.raw`\.\./(\.\./)*(shared|\.library)\b|'\.\.'\s*,\s*'(shared|\.library)'`);
    const files = ['src', 'test', 'scripts', '.ci', '.github']
      .flatMap((dir) =>
        readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).map((file) => join(dir, file)),
      )
      .filter((file) => statSync(join(ROOT, file)).isFile());
    expect(files.length).toBeGreaterThan(30);
    const offenders = files.filter((file) => outside.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
