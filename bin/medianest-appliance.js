#!/usr/bin/env node
// Installed entry point: runs the shipped one-file server that `npm run build` makes
// (dist/server/medianest-appliance.mjs, which starts twice as fast), else the compiled modules of
// a tree built with `npm run build:node` only.
import { existsSync } from 'node:fs';
import module from 'node:module';

// Node 22.1 and later keep V8's compiled code of what is imported next between runs (in the
// system's temporary folder), so a start compiles less; Node 20 has no such cache.
module.enableCompileCache?.();

const bundle = new URL('../dist/server/medianest-appliance.mjs', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/server/src/cli.js');
