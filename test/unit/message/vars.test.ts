import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/errors.js';
import { parseVars } from '../../../src/message/vars.js';

const refused = async (text: string): Promise<InputError> => {
  const error = await parseVars(text).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InputError);
  expect((error as InputError).message).toMatch(/^Input 'vars': expected a YAML or JSON mapping/);
  return error as InputError;
};

describe('parseVars', () => {
  it('gives {} when vars is not given or holds nothing', async () => {
    for (const text of [undefined, '', '   ', '# only a comment', 'null', '~'])
      expect(await parseVars(text)).toEqual({});
  });

  it('parses a YAML mapping with nested values', async () => {
    expect(await parseVars('environment: production\nregions: [eu, us]\nowner:\n  name: Ada\n')).toEqual({
      environment: 'production',
      regions: ['eu', 'us'],
      owner: { name: 'Ada' },
    });
  });

  it('parses JSON', async () => {
    expect(await parseVars('{"a": 1, "b": {"c": [true, null]}}')).toEqual({ a: 1, b: { c: [true, null] } });
  });

  it('keeps a number as written when it would not print the same (versions, leading zeros, exponents)', async () => {
    expect(await parseVars('version: 1.10\nid: 007\nbig: 1e3\ncount: 3\nratio: 0.5\nflag: true\nhex: 0x1F')).toEqual({
      version: '1.10',
      id: '007',
      big: '1e3',
      count: 3,
      ratio: 0.5,
      flag: true,
      hex: '0x1F',
    });
  });

  it('refuses invalid YAML, saying where', async () => {
    expect((await refused('a: 1\nb: [1, 2\n')).message).toMatch(/line \d+, column \d+/);
  });

  it('refuses a repeated key, saying where', async () => {
    expect((await refused('env: a\nenv: b')).message).toMatch(/unique.*line 2/);
  });

  it('refuses a list and a single value', async () => {
    expect((await refused('- a\n- b')).message).toMatch(/got a list/);
    expect((await refused('just words')).message).toMatch(/got a single string/);
    expect((await refused('42')).message).toMatch(/got a single number/);
  });

  it('refuses an alias bomb instead of expanding it', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (const [name, prev] of [
      ['b', 'a'],
      ['c', 'b'],
      ['d', 'c'],
      ['e', 'd'],
      ['f', 'e'],
      ['g', 'f'],
      ['h', 'g'],
    ]) {
      bomb.push(`${name}: &${name} [*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev},*${prev}]`);
    }
    expect((await refused(bomb.join('\n'))).message).toMatch(/alias/i);
  });
});
