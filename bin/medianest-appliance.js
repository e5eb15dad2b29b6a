#!/usr/bin/env node
// Installed entry point: runs the compiled CLI (npm run build:node produces dist/).
import '../dist/server/src/cli.js';
