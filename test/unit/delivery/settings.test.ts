import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { InputError } from '../../../src/errors.js';
import { DEFAULT_ENDPOINT, INPUT_DEFAULTS, readRawInputs, type RawInputs } from '../../../src/delivery/inputs.js';
import { parseSettings, readFailOnError } from '../../../src/delivery/settings.js';

/** Raw inputs of a valid run; each test changes what it is about. */
const valid = (overrides: Partial<RawInputs> = {}): RawInputs => ({
  ...INPUT_DEFAULTS,
  x_api_key: 'x-api-key-123456',
  instance: 'instance-42',
  api_key: 'api-key-abcdef',
  user_id: '123456789',
  message: 'Deployed {{ github.ref_name }}',
  ...overrides,
});

/** The InputError parseSettings throws for these inputs (fails the test when it does not throw). */
function refused(overrides: Partial<RawInputs>): InputError {
  try {
    parseSettings(valid(overrides));
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error(`expected ${JSON.stringify(overrides)} to be refused`);
}

/** Refused, naming `input` first and saying what was expected. */
function expectRefused(input: string, overrides: Partial<RawInputs>, expected: RegExp = /expected/): InputError {
  const error = refused(overrides);
  expect(error.message).toMatch(new RegExp(`^Input '${input}': `));
  expect(error.message).toMatch(expected);
  expect(error.problems.map((p) => p.input)).toEqual([input]);
  return error;
}

describe('readRawInputs', () => {
  const none = (): string => '';

  it("fills in action.yml's defaults for inputs not given", () => {
    const raw = readRawInputs(none, {});
    expect(raw).toEqual(INPUT_DEFAULTS);
    expect(raw.endpoint).toBe(DEFAULT_ENDPOINT);
    expect(raw.max_length).toBe('4096');
    expect(raw.timeout).toBe('15');
    expect(raw.retries).toBe('3');
    expect(raw.dry_run).toBe('false');
    expect(raw.fail_on_error).toBe('true');
  });

  it('takes the keys and the instance from HOTLINE_* when the inputs are empty, trimmed', () => {
    const raw = readRawInputs(none, {
      HOTLINE_X_API_KEY: 'env-x-key\n',
      HOTLINE_INSTANCE: ' env-instance ',
      HOTLINE_API_KEY: 'env-api-key',
    });
    expect(raw.x_api_key).toBe('env-x-key');
    expect(raw.instance).toBe('env-instance');
    expect(raw.api_key).toBe('env-api-key');
  });

  it('prefers the input over its HOTLINE_* variable', () => {
    const inputs: Record<string, string> = { x_api_key: 'input-x', instance: 'input-i', api_key: 'input-a' };
    const raw = readRawInputs((name) => inputs[name] ?? '', {
      HOTLINE_X_API_KEY: 'env-x',
      HOTLINE_INSTANCE: 'env-i',
      HOTLINE_API_KEY: 'env-a',
    });
    expect([raw.x_api_key, raw.instance, raw.api_key]).toEqual(['input-x', 'input-i', 'input-a']);
  });

  it('has no environment fallback for other inputs', () => {
    const raw = readRawInputs(none, {
      HOTLINE_ENDPOINT: 'https://elsewhere.example/',
      HOTLINE_USER_ID: '5',
      HOTLINE_MESSAGE: 'x',
    });
    expect(raw.endpoint).toBe(DEFAULT_ENDPOINT);
    expect(raw.user_id).toBe('');
    expect(raw.message).toBe('');
  });

  it('an empty HOTLINE_* variable leaves the input empty', () => {
    expect(readRawInputs(none, { HOTLINE_API_KEY: '   ' }).api_key).toBe('');
  });

  it('passes given inputs through as strings', () => {
    const inputs: Record<string, string> = { user_id: '1, 2', message: 'hi', retries: '0', dry_run: 'true' };
    const raw = readRawInputs((name) => inputs[name] ?? '', {});
    expect(raw).toMatchObject(inputs);
  });
});

describe('parseSettings: a valid run', () => {
  it('turns the defaults into typed settings', () => {
    const settings = parseSettings(valid());
    expect(settings).toMatchObject({
      x_api_key: 'x-api-key-123456',
      instance: 'instance-42',
      api_key: 'api-key-abcdef',
      endpoint: DEFAULT_ENDPOINT,
      user_id: [123456789],
      message: 'Deployed {{ github.ref_name }}',
      max_length: 4096,
      timeoutMs: 15_000,
      retries: 3,
      dry_run: false,
      fail_on_error: true,
    });
    expect(settings.message_file).toBeUndefined();
    expect(settings.status).toBeUndefined();
  });
});

describe('parseSettings: user_id', () => {
  it('splits on commas, spaces, newlines and tabs', () => {
    expect(parseSettings(valid({ user_id: '1,2 3\n4\t5, 6\r\n7' })).user_id).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(parseSettings(valid({ user_id: ' ,, 11 ,\n\n 22 , ' })).user_id).toEqual([11, 22]);
  });

  it('sends to each id once, keeping the first order', () => {
    expect(parseSettings(valid({ user_id: '3, 1, 3, 2, 1, 3' })).user_id).toEqual([3, 1, 2]);
  });

  it('accepts the largest safe integer', () => {
    expect(parseSettings(valid({ user_id: '9007199254740991' })).user_id).toEqual([Number.MAX_SAFE_INTEGER]);
  });

  it.each([
    '12a',
    '-5',
    '0',
    '1.5',
    '1e5',
    '0x10',
    '9007199254740992',
    '12345678901234567',
    '99999999999999999999',
    'abc',
  ])('refuses %j, naming user_id and quoting the bad id', (bad) => {
    const error = expectRefused(
      'user_id',
      { user_id: `111, ${bad}, 222` },
      /expected Telegram user ids \(positive whole numbers\)/,
    );
    expect(error.message).toContain(`'${bad}'`);
  });

  it('is required', () => {
    expectRefused('user_id', { user_id: '' }, /required/);
    expectRefused('user_id', { user_id: ' , \n ' }, /required/);
  });

  it('any list of positive safe integers, joined by any separators, parses back deduplicated in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.constantFrom(',', ' ', '\n', ', '), { minLength: 20, maxLength: 20 }),
        fc.boolean(),
        (ids, separators, repeat) => {
          const list = repeat ? [...ids, ...ids.slice(0, 3)] : ids;
          const text = list
            .map((id, i) => (i === 0 ? String(id) : `${separators[i % separators.length]}${id}`))
            .join('');
          expect(parseSettings(valid({ user_id: text })).user_id).toEqual([...new Set(list)]);
        },
      ),
    );
  });
});

describe('parseSettings: endpoint', () => {
  it.each([
    'https://n8n.production.hotline.tg/webhook/topic_action',
    'https://api.example.com:8443/hook?x=1',
    'http://localhost:5678/webhook/topic_action',
    'http://127.0.0.1:8080/webhook',
    'http://127.1.2.3/webhook',
    'http://[::1]:9000/webhook',
    'HTTP://LOCALHOST/webhook',
  ])('accepts %s', (endpoint) => {
    expect(parseSettings(valid({ endpoint })).endpoint).toBe(new URL(endpoint).href);
  });

  it.each([
    'http://example.com/webhook',
    'http://n8n.production.hotline.tg/webhook/topic_action',
    'http://localhost.example.com/',
    'http://127.0.0.1.nip.io/',
    'http://0.0.0.0/',
    'ftp://localhost/file',
    'file:///etc/passwd',
  ])('refuses %s: https is required except for loopback', (endpoint) => {
    expectRefused('endpoint', { endpoint }, /expected an https:\/\/ URL/);
  });

  it.each(['not a url', 'n8n.production.hotline.tg/webhook', '/webhook/topic_action', ''])(
    'refuses %j: not a URL',
    (endpoint) => {
      expectRefused('endpoint', { endpoint }, /expected an https:\/\/ URL/);
    },
  );

  it('refuses credentials in the URL, without echoing them', () => {
    for (const endpoint of ['https://user:pa55word@api.example.com/hook', 'https://token@api.example.com/hook']) {
      const error = expectRefused('endpoint', { endpoint }, /without user:password@/);
      expect(error.message).not.toContain('pa55word');
      expect(error.message).not.toContain('token@');
    }
  });
});

describe('parseSettings: timeout', () => {
  it.each([
    ['15', 15_000],
    ['1', 1_000],
    ['1.5', 1_500],
    ['0.25', 250],
    ['.5', 500],
    ['2.', 2_000],
    ['600', 600_000],
  ])('%s seconds is %d ms', (timeout, ms) => {
    expect(parseSettings(valid({ timeout })).timeoutMs).toBe(ms);
  });

  it.each(['0', '0.0', '.0', '.', '-1', '+1', 'abc', '600.5', '601', '1e3', '0x10', '1.2.3', '', ' ', '10s'])(
    'refuses %j',
    (timeout) => {
      expectRefused('timeout', { timeout }, /expected seconds for one attempt, a number above 0 and at most 600/);
    },
  );
});

describe('parseSettings: retries and max_length', () => {
  it.each([
    ['0', 0],
    ['3', 3],
    ['10', 10],
  ])('retries %s', (retries, n) => {
    expect(parseSettings(valid({ retries })).retries).toBe(n);
  });

  it.each(['11', '-1', '1.5', 'three', '', '1e1'])('refuses retries %j', (retries) => {
    expectRefused('retries', { retries }, /from 0 to 10/);
  });

  it.each([
    ['1', 1],
    ['2', 2],
    ['4096', 4096],
  ])('max_length %s', (max_length, n) => {
    expect(parseSettings(valid({ max_length })).max_length).toBe(n);
  });

  it.each(['0', '4097', '-1', '100.0', 'big', ''])('refuses max_length %j', (max_length) => {
    expectRefused('max_length', { max_length }, /from 1 to 4096/);
  });
});

describe('parseSettings: status', () => {
  it('is optional', () => {
    expect(parseSettings(valid({ status: '' })).status).toBeUndefined();
  });

  it.each([
    ['success', 'success'],
    ['failure', 'failure'],
    ['cancelled', 'cancelled'],
    ['skipped', 'skipped'],
    ['Success', 'success'],
    ['FAILURE', 'failure'],
  ])('%s → %s', (status, expected) => {
    expect(parseSettings(valid({ status })).status).toBe(expected);
  });

  it.each(['passed', 'ok', 'canceled', 'succeeded'])('refuses %j, listing the allowed values', (status) => {
    expectRefused('status', { status }, /expected one of success, failure, cancelled, skipped/);
  });
});

describe('parseSettings: booleans', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['True', true],
    ['False', false],
    ['FALSE', false],
  ])('dry_run and fail_on_error %s', (value, expected) => {
    const settings = parseSettings(valid({ dry_run: value, fail_on_error: value }));
    expect(settings.dry_run).toBe(expected);
    expect(settings.fail_on_error).toBe(expected);
  });

  // GitHub's convention (core.getBooleanInput): exactly these six words; a mixed case is a typo.
  it.each(['yes', 'no', '1', '0', 'on', 'y', '', 'tRuE', 'fALSE', 'TRUE!'])('refuses %j', (value) => {
    expectRefused('dry_run', { dry_run: value }, /expected true or false \(or True, TRUE, False, FALSE\)/);
    expectRefused('fail_on_error', { fail_on_error: value }, /expected true or false \(or True, TRUE, False, FALSE\)/);
  });
});

describe('readFailOnError', () => {
  it("reads fail_on_error on its own, in GitHub's forms", () => {
    expect(readFailOnError(valid({ fail_on_error: 'false' }))).toBe(false);
    expect(readFailOnError(valid({ fail_on_error: 'False' }))).toBe(false);
    expect(readFailOnError(valid({ fail_on_error: 'FALSE' }))).toBe(false);
    expect(readFailOnError(valid({ fail_on_error: 'true' }))).toBe(true);
  });

  it('fails the step when the value is not understood', () => {
    for (const value of ['', 'no', 'yes', '0', 'nope', 'fALSE'])
      expect(readFailOnError(valid({ fail_on_error: value }))).toBe(true);
  });

  it('works even when other inputs are bad', () => {
    expect(readFailOnError(valid({ fail_on_error: 'false', timeout: 'abc', user_id: 'x' }))).toBe(false);
  });
});

describe('parseSettings: keys', () => {
  it.each(['x_api_key', 'instance', 'api_key'] as const)('%s is required, naming its environment variable', (name) => {
    const env = { x_api_key: 'HOTLINE_X_API_KEY', instance: 'HOTLINE_INSTANCE', api_key: 'HOTLINE_API_KEY' }[name];
    const error = expectRefused(name, { [name]: '' }, /required/);
    expect(error.message).toContain(env);
  });

  it('names all three missing keys in one error', () => {
    const error = refused({ x_api_key: '', instance: '', api_key: '' });
    expect(error.problems.map((p) => p.input)).toEqual(['x_api_key', 'instance', 'api_key']);
    for (const name of ['x_api_key', 'instance', 'api_key']) expect(error.message).toContain(`Input '${name}'`);
  });

  it('are not needed for a dry run', () => {
    const settings = parseSettings(valid({ x_api_key: '', instance: '', api_key: '', dry_run: 'true' }));
    expect(settings.dry_run).toBe(true);
  });
});

describe('parseSettings: message and message_file', () => {
  it('takes message_file alone', () => {
    const settings = parseSettings(valid({ message: '', message_file: '.github/hotline.liquid' }));
    expect(settings.message).toBeUndefined();
    expect(settings.message_file).toBe('.github/hotline.liquid');
  });

  it('refuses both together', () => {
    const error = refused({ message: 'hi', message_file: 'msg.liquid' });
    expect(error.message).toMatch(/^Input 'message(_file)?': /);
    expect(error.message).toMatch(/either 'message' or 'message_file', not both/);
  });
});

describe('parseSettings: several bad inputs', () => {
  it('throws one InputError naming each bad input', () => {
    const error = refused({
      endpoint: 'http://example.com',
      timeout: '0',
      retries: '99',
      max_length: '0',
      dry_run: 'maybe',
    });
    expect(error.problems.map((p) => p.input).sort()).toEqual([
      'dry_run',
      'endpoint',
      'max_length',
      'retries',
      'timeout',
    ]);
    for (const name of ['endpoint', 'timeout', 'retries', 'max_length', 'dry_run']) {
      expect(error.message).toContain(`Input '${name}': expected`);
    }
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('names a missing input together with a malformed one', () => {
    const error = refused({ api_key: '', user_id: '', timeout: 'abc' });
    expect(error.problems.map((p) => p.input).sort()).toEqual(['api_key', 'timeout', 'user_id']);
  });
});
