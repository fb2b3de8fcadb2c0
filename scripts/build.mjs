// Bundles one file per process with esbuild: the CLI, the debug adapter, the language server,
// the extension host entry, the benchmark and the IPC sequence webview's script.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  { in: 'cli/main.ts', out: 'dist/cli.js' },
  { in: 'bench/main.ts', out: 'dist/bench.js' },
  { in: 'debug-adapter/main.ts', out: 'dist/debug-adapter.js' },
  { in: 'language/server/main.ts', out: 'dist/language-server.js' },
  { in: 'extension/extension.ts', out: 'dist/extension.js', external: ['vscode'] },
  // The IPC sequence webview's script (extension/views/sequenceView.ts loads it).
  { in: 'media/sequence/main.ts', out: 'dist/media/sequence.js', platform: 'browser', format: 'iife' },
];

const production = process.argv.includes('--production');

await Promise.all(
  entries
    .filter((entry) => existsSync(entry.in))
    .map((entry) =>
      build({
        entryPoints: [entry.in],
        outfile: entry.out,
        bundle: true,
        platform: entry.platform ?? 'node',
        format: entry.format ?? 'cjs',
        target: entry.platform === 'browser' ? 'es2022' : 'node20',
        sourcemap: production ? false : 'linked',
        minify: production,
        external: entry.external ?? [],
        logLevel: 'warning',
      }),
    ),
);
