// Bundles the server command into dist/ and the editor into dist/public/ with esbuild: editor.js
// (embeddable ES module, defines <collab-editor>), editor.css, and the demo app (index.html, demo.js).
// Files are replaced atomically, so a running server or a parallel build never sees half a file.
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { pid } from 'node:process'
import { build } from 'esbuild'

const publicDirectory = 'dist/public'

async function writeAtomically(path, contents) {
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${pid}.tmp`
  await writeFile(temporary, contents)
  await rename(temporary, path)
}

async function bundle(options) {
  const result = await build({ ...options, write: false, logLevel: 'warning' })
  await Promise.all(result.outputFiles.map((file) => writeAtomically(file.path, file.contents)))
}

async function copyAtomically(from, to) {
  const temporary = `${to}.${pid}.tmp`
  await mkdir(dirname(to), { recursive: true })
  await copyFile(from, temporary)
  await rename(temporary, to)
}

await Promise.all([
  bundle({
    entryPoints: { cli: 'cli/main.ts' },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
  }),
  bundle({
    entryPoints: { editor: 'editor/embed.ts', demo: 'editor/demo/demo.ts' },
    outdir: publicDirectory,
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'esm',
    minify: true,
    sourcemap: true,
  }),
  bundle({
    entryPoints: { editor: 'editor/editor.css' },
    outdir: publicDirectory,
    bundle: true,
    minify: true,
  }),
  copyAtomically('editor/demo/index.html', join(publicDirectory, 'index.html')),
])
