import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** `@contract`: the renderer's one door into server/ (the zod contract), as tsconfig.web.json maps it. */
export const contractAlias = [
  {
    find: /^@contract$/,
    replacement: fileURLToPath(new URL('../server/src/contract/index.ts', import.meta.url)),
  },
  {
    find: /^@contract\/(.*)\.js$/,
    replacement: `${fileURLToPath(new URL('../server/src/contract/', import.meta.url))}$1.ts`,
  },
];

export default defineConfig({
  root,
  plugins: [react()],
  resolve: { alias: contractAlias },
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
