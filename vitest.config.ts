import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { contractAlias } from './renderer/vite.config.js';

/**
 * No test announces itself on the machine's real networks (DNS-SD over mDNS, issue 21 §4): the
 * servers and `serve` processes the tests start inherit this. The LAN-discovery test turns it back
 * on only inside network namespaces of its own.
 */
process.env.MEDIANEST_MDNS = 'off';

export default defineConfig({
  test: {
    projects: [
      {
        plugins: [react()],
        resolve: { alias: contractAlias },
        test: {
          name: 'unit',
          include: [
            'server/src/**/*.test.ts',
            'electron/**/*.test.ts',
            'renderer/src/**/*.test.{ts,tsx}',
            'scripts/**/*.test.mjs',
          ],
          environment: 'node',
          // A few files compile a JSON schema or import the whole server first: on a loaded 2-core
          // machine they take several seconds, which is no hang.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 180_000,
          // Tests share one engine; running files one after another keeps them from fighting over it.
          fileParallelism: false,
        },
      },
    ],
  },
});
