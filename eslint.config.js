// Lint for the sources and tests (the bundles in dist/ and pkg/ are generated).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers import one way: the front ends (action/, cli/) → the use case (delivery/) → what is
 * sent (message/) and the API clients (topics/, github/) → HTTP (net/) → the root files (errors,
 * redact, host). message/, topics/ and github/ do not know each other, and the two front ends never
 * import each other.
 */
const LAYERS = {
  root: {
    files: ['src/errors.ts', 'src/redact.ts', 'src/host.ts'],
    forbidden: [
      './net/*',
      './topics/*',
      './github/*',
      './message/*',
      './delivery/*',
      './action/*',
      './cli/*',
      './index.js',
    ],
  },
  // The package's entry: the library, and the command line the bin runs (never the action's host).
  library: { files: ['src/index.ts'], forbidden: ['./action/*'] },
  net: {
    files: ['src/net/**'],
    forbidden: [
      '../topics/*',
      '../github/*',
      '../message/*',
      '../delivery/*',
      '../action/*',
      '../cli/*',
      '../index.js',
    ],
  },
  topics: {
    files: ['src/topics/**'],
    forbidden: ['../github/*', '../message/*', '../delivery/*', '../action/*', '../cli/*', '../index.js'],
  },
  github: {
    files: ['src/github/**'],
    forbidden: ['../topics/*', '../message/*', '../delivery/*', '../action/*', '../cli/*', '../index.js'],
  },
  message: {
    files: ['src/message/**'],
    forbidden: ['../net/*', '../topics/*', '../github/*', '../delivery/*', '../action/*', '../cli/*', '../index.js'],
  },
  delivery: { files: ['src/delivery/**'], forbidden: ['../action/*', '../cli/*', '../index.js'] },
  action: { files: ['src/action/**'], forbidden: ['../cli/*', '../index.js'] },
  cli: { files: ['src/cli/**'], forbidden: ['../action/*', '../index.js'] },
};

export default tseslint.config(
  { ignores: ['dist/', 'pkg/', 'node_modules/', 'coverage/', 'scripts/', 'test/support/dns-failure.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // `const { part: _part, ...rest } = x` drops a field on purpose.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { varsIgnorePattern: '^_', argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  ...Object.entries(LAYERS).map(([layer, { files, forbidden }]) => ({
    files,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: forbidden,
              message: `${layer} must not import this layer: imports go action/, cli/ → delivery/ → message/, topics/, github/ → net/ → root files (eslint.config.js).`,
            },
          ],
        },
      ],
    },
  })),
);
