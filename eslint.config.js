// Lint for mistakes, not for style: Prettier (.prettierrc.json) formats, and `npm test` runs both
// with tsc before any test, so CI fails on a type, lint or format error.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'dist.*/**', 'node_modules/**', '.bench/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: {
        Buffer: 'readonly',
        console: 'readonly',
        performance: 'readonly',
        process: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        AbortSignal: 'readonly',
        AbortController: 'readonly',
        __dirname: 'readonly',
        fetch: 'readonly',
        NodeJS: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off', // with noUncheckedIndexedAccess, `!` after a proven index is the plain way
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', caughtErrors: 'none'}],
      'no-empty': ['error', {allowEmptyCatch: true}],
      'no-control-regex': 'off', // control characters are matched on purpose: printed text is cleaned of them
      'no-regex-spaces': 'off', // expected table lines keep their column alignment
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      // a long function needs a reason: an eslint-disable comment with it
      'max-lines-per-function': ['error', {max: 60, skipBlankLines: true, skipComments: true}],
    },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', module: 'writable'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
)
