// Bundles the server command into dist/ with esbuild. Dependencies stay external (node_modules).
import { build } from 'esbuild'

await build({
  entryPoints: { cli: 'cli/main.ts' },
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
})
