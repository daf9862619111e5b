// The linter catches mistakes, not style: names used but never defined, values defined but
// never used, and hooks called where Preact cannot keep their order.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default [
  js.configs.recommended,
  {
    files: ['src/**/*.{js,jsx}'],
    languageOptions: {
      ecmaVersion: 'latest',
      sourceType: 'module',
      parserOptions: { ecmaFeatures: { jsx: true } },
      globals: { ...globals.browser },
    },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      // Effects here are keyed on ids on purpose (a user object is new on every sign-in
      // answer): the dependency check would ask for the object and rerun them needlessly.
      'react-hooks/exhaustive-deps': 'off',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A name that hides an outer one (an import, a store) is how a call reaches the wrong thing.
      'no-shadow': 'error',
    },
  },
  {
    files: ['src/sw.js'],
    languageOptions: { globals: { ...globals.serviceworker } },
  },
  {
    files: ['*.config.js', 'test/**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
];
