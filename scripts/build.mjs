// Bundles the server command into dist/ and the editor into dist/public/ with esbuild: editor.js
// (embeddable ES module with its stylesheet, defines <collab-editor>) and the demo app (index.html,
// demo.js).
// Files are replaced atomically, so a running server or a parallel build never sees half a file.
// With --if-stale (npm start) it builds only when dist/build-record.json says the build is missing
// or stale (scripts/build-record.mjs); without it (npm run build) it always builds.
import { log } from 'node:console'
import { readFile } from 'node:fs/promises'
import { argv } from 'node:process'
import { join, relative } from 'node:path'
import { URL, fileURLToPath } from 'node:url'
import { copyAtomically, writeAtomically } from './atomic-files.mjs'
import { staleReason, writeBuildRecord } from './build-record.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const publicDirectory = 'dist/public'
/** The demo page, copied as it is. */
const demoPage = { from: 'editor/demo/index.html', to: join(publicDirectory, 'index.html') }

/** Imports of `.css` files resolve to their minified text. */
const minifiedCssText = {
  name: 'minified-css-text',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const { transform } = await import('esbuild')
      const { code } = await transform(await readFile(path, 'utf8'), {
        loader: 'css',
        minify: true,
      })
      return { contents: code, loader: 'text' }
    })
  },
}

/** Bundles one set of entry points; returns the paths (relative to root) it read and wrote. */
async function bundle(options) {
  // Loaded only when building, so an up-to-date `npm start` does not pay for it.
  const { build } = await import('esbuild')
  const result = await build({
    ...options,
    absWorkingDir: root,
    write: false,
    metafile: true,
    logLevel: 'warning',
  })
  await Promise.all(result.outputFiles.map((file) => writeAtomically(file.path, file.contents)))
  return {
    inputs: Object.keys(result.metafile.inputs),
    outputs: result.outputFiles.map((file) => relative(root, file.path)),
  }
}

async function buildAll() {
  const startedAtMs = Date.now()
  const bundles = await Promise.all([
    bundle({
      entryPoints: { cli: 'cli/main.ts' },
      outdir: 'dist',
      // dist/cli.js is the package's `bin`.
      banner: { js: '#!/usr/bin/env node' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      // What cli.js imports only when first needed (the document API, the content formats) goes
      // to chunks of its own, so that the libraries they import load then and not at startup.
      splitting: true,
      // Beside cli.js, so that paths relative to a module (../package.json) hold in every chunk.
      chunkNames: '[name]-[hash]',
      sourcemap: true,
    }),
    bundle({
      entryPoints: { editor: 'editor/embed.ts', demo: 'editor/demo/demo.ts' },
      outdir: publicDirectory,
      bundle: true,
      platform: 'browser',
      target: 'es2022',
      format: 'esm',
      // The editor's stylesheet goes into the script, to be adopted by each editor's shadow root.
      plugins: [minifiedCssText],
      minify: true,
      sourcemap: true,
    }),
    copyAtomically(join(root, demoPage.from), join(root, demoPage.to)).then(() => ({
      inputs: [demoPage.from],
      outputs: [demoPage.to],
    })),
  ])
  await writeBuildRecord(root, {
    inputs: bundles.flatMap((result) => result.inputs),
    outputs: bundles.flatMap((result) => result.outputs),
    startedAtMs,
  })
}

const isIfStale = argv.includes('--if-stale')
const reason = isIfStale ? await staleReason(root) : null
if (!isIfStale || reason !== null) {
  if (reason !== null) log(`building dist/ (${reason})`)
  await buildAll()
}
