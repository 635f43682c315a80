import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'crypto',
  'stream',
  'events',
  'url',
  'util',
  'tls',
  'dns',
];
const noNodeInBrowser = {
  patterns: [
    {
      group: ['node:*', ...nodeBuiltins],
      message: 'No Node modules here: reach the system through window.api.',
    },
    {
      group: ['dockerode', 'ssh2', 'electron', 'ws'],
      message: 'The renderer and shared code never talk to Docker, SSH or Electron.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'resources/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // The arrows of design.md, held by the linter.
  {
    files: ['src/shared/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noNodeInBrowser] },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // This rule guards the React Compiler's memoization, which the app does not use.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': ['error', noNodeInBrowser],
    },
  },
  {
    files: ['src/main/services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Services are plain Node: Electron lives only in src/main/index.ts.',
            },
          ],
          patterns: [
            {
              // A service reaches another only through its public index.ts.
              regex: '^\\.\\./(?!\\.\\.)[^/]+/(?!index(\\.js)?$).+',
              message: 'Import another service through its index.ts, never its insides.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../main/*', 'dockerode', 'ssh2'], message: 'The preload knows only the contract.' },
          ],
        },
      ],
    },
  },
);
