// typescript-eslint's recommended rules over the TypeScript, and the plain recommended rules over
// the browser pages' scripts (no build step; their types are checked by tsconfig.browser.json).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'certs/out/', '.data/', 'coverage/', 'tests/output/', 'tests/screenshots/', '**/public/vendor/', '**/dist/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { globals: globals.node },
    rules: {
      // `_`-prefixed parameters and catch bindings are deliberately unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Type declarations of untyped libraries (adapters/*.ts) group their shapes in a namespace.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
      // Input checks match control characters on purpose (CSV cells, card text, the privacy sweep).
      'no-control-regex': 'off',
    },
  },
  {
    // Tests read answers and fixtures loosely; what they check is in their assertions.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['kiosk-sim/public/**/*.js', 'services/vrs/portal-web/static/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
    rules: { 'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }] },
  },
);
