#!/usr/bin/env node
/**
 * The `medianest-appliance` command. The only file in server/ that may exit the process or trap signals.
 */
import { runCli } from './cli/run.js';
import { preferSmallHeap } from './infra/system/lean-heap.js';

preferSmallHeap();

const untilShutdown = (): Promise<void> =>
  new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });

const code = await runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text + '\n'),
  stderr: (text) => process.stderr.write(text + '\n'),
  env: process.env,
  stdoutIsTerminal: process.stdout.isTTY === true,
  untilShutdown,
});
process.exitCode = code;
