// Lint: typescript-eslint's recommended type-aware rules, plus the layering promise of
// docs/architecture.md: rules/ is pure (no SDK, no I/O, no clock).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['rules/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*', '@smithy/*', '@aws-lambda-powertools/*'], message: 'rules/ is pure: no SDK or Lambda imports.' },
            { group: ['node:*', 'fs', 'path', 'child_process', 'http', 'https'], message: 'rules/ is pure: no I/O.' },
            { group: ['../src/*', '../functions/*', '../../src/*'], message: 'rules/ imports only rules/ (and zod).' },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'Date', message: 'rules/ is pure: take time as a parameter.' }],
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: 'rules/ is pure: no clock.' }],
    },
  },
);
