import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        // The CLI and the browser shell are plain Node: they share main's services but never load Electron.
        input: {
          index: resolve(root, 'src/main/index.ts'),
          cli: resolve(root, 'src/main/cli/index.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // The sandbox lets a preload require nothing but 'electron': every dependency is bundled in.
      externalizeDeps: false,
      rollupOptions: {
        // A sandboxed preload must be one CommonJS file: it cannot require its own chunks.
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(root, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
