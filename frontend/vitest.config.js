// The unit tests (test/*.test.js) run in Node: the modules they test need no browser.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.test.js'], environment: 'node' },
});
