#!/usr/bin/env node
/**
 * The shipped server: the CLI and the Electron main, each as one ES module file (issue 22, "start
 * fast"). Loading one file instead of some 400 modules halves the time `serve` takes to answer.
 *
 *   dist/server/medianest-appliance.mjs   bin/medianest-appliance.js and scripts/start.sh run this
 *   dist/electron/main/bundle.mjs         the desktop app's main (package.json "main")
 *
 * Built from the TypeScript sources (esbuild strips the types; `npm run typecheck` checks them).
 * Every file the server reads at run time is found by walking up from the running module to the
 * app's root (dist/renderer, compose-templates, package.json), so a bundle finds them from its
 * own place as the unbundled tree does. Run by `npm run build` after `build:node`.
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Left to node_modules: native addons (a .node file cannot live in a bundle; electron-builder
 * rebuilds better-sqlite3 for Electron), and ssh2, which dockerode loads only for ssh:// hosts and
 * which itself probes for native parts at load time.
 */
const NATIVE = ['better-sqlite3', 'ssh2', 'cpu-features'];
/**
 * Also left to node_modules: mime-db, which Node reads as JSON faster than it would compile it as a
 * 200 KB object literal (mime-types loads it with express).
 */
const DATA = ['mime-db'];

/**
 * Modules the bundle leaves in node_modules, loaded from there when first called, by the request
 * that asks for them (`request` from a module under `from`, the root copy of a package). `forward`:
 * the request is made when its module loads, so the bundle gets a stand-in that requires the real
 * module at its first call (each of these exports one function).
 * - dockerode's BuildKit session and ssh transport, and its BuildKit progress decoder: a megabyte
 *   of gRPC and protobuf, ssh2 probing for native parts at load, .proto files read beside their
 *   module (`__dirname`, which a bundle has not). The app talks to the engine's API itself where
 *   dockerode would use them (a BuildKit build, an ssh:// host).
 * - iconv-lite's encoding tables (500 KB), read at the first request body.
 */
const CALLED_LATE = [
  { from: 'node_modules/dockerode/lib/', request: './session', forward: true },
  { from: 'node_modules/docker-modem/lib/', request: './ssh', forward: true },
  { from: 'node_modules/dockerode/lib/', request: './buildkit', forward: false },
  { from: 'node_modules/iconv-lite/lib/', request: '../encodings', forward: false },
];

/**
 * zod's messages in English only: `z.locales` holds some 40 languages (400 KB of the file) that the
 * app never selects; `config(en())`, zod's default, still applies.
 */
/** @type {import('esbuild').Plugin} */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: "export { default as en } from './en.js';",
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

/**
 * A package left out is loaded from the node_modules above the bundle: every module that asks for
 * it must be using that copy (not a nested one of another version), or the build stops.
 */
/** @type {import('esbuild').Plugin} */
const dataFromRoot = {
  name: 'data-from-root',
  setup(build) {
    const names = new RegExp(`^(${DATA.join('|')})$`);
    build.onResolve({ filter: names }, async (args) => {
      if (args.pluginData === 'data-from-root') return undefined;
      const found = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: 'data-from-root',
      });
      const expected = join(root, 'node_modules', args.path);
      if (!found.path.startsWith(expected + sep)) {
        throw new Error(`${args.importer} uses ${found.path}, not ${expected}: bundle it instead.`);
      }
      return { path: args.path, external: true };
    });
  },
};

/** @type {import('esbuild').Plugin} */
const calledLate = {
  name: 'called-late',
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/[a-z]+$/ }, (args) => {
      const hit = CALLED_LATE.find(
        ({ from, request }) =>
          args.path === request && dirname(args.importer) + sep === join(root, from),
      );
      if (!hit) return undefined;
      // The package's own name for the module: resolved from the node_modules above the bundle.
      const real = relative(join(root, 'node_modules'), join(dirname(args.importer), args.path))
        .split(sep)
        .join('/');
      return hit.forward
        ? { path: real, namespace: 'called-late' }
        : { path: real, external: true };
    });
    build.onResolve({ filter: /.*/, namespace: 'called-late' }, (args) => ({
      path: args.path,
      external: true,
    }));
    build.onLoad({ filter: /.*/, namespace: 'called-late' }, (args) => ({
      contents: `module.exports = function () { return require(${JSON.stringify(args.path)}).apply(this, arguments); };`,
      loader: 'js',
    }));
  },
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (express, dockerode) call require for Node's built-ins.
  banner: {
    js: "import { createRequire as __mnaCreateRequire } from 'node:module'; const require = __mnaCreateRequire(import.meta.url);",
  },
  legalComments: 'none',
  // A third less to read and compile at every start (names stay as written, for stack traces;
  // `node --enable-source-maps` maps them back to the sources through the .map beside the file).
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  plugins: [calledLate, zodEnglishOnly, dataFromRoot],
  logLevel: 'warning',
};

const outputs = ['dist/server/medianest-appliance.mjs', 'dist/electron/main/bundle.mjs'];
await Promise.all([
  build({
    ...common,
    entryPoints: ['server/src/cli.ts'],
    outfile: outputs[0],
    external: NATIVE,
  }),
  build({
    ...common,
    entryPoints: ['electron/main/index.ts'],
    outfile: outputs[1],
    // electron is the host; electron-updater is loaded lazily, in a packaged app only.
    external: [...NATIVE, 'electron', 'electron-updater'],
  }),
]);

// A module that finds files beside itself through __dirname throws once bundled into an ES module.
for (const file of outputs) {
  const text = readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
  const at = text.search(/\b__(dirname|filename)\b/);
  if (at >= 0) {
    const line = text.slice(0, at).split('\n').length;
    throw new Error(`${file}:${line} uses __dirname or __filename: leave that module external.`);
  }
}
