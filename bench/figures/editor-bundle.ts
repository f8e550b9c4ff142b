// What each part of the editor bundle costs: bundles editor/embed.ts as scripts/build.mjs does
// (minified, the stylesheet inside) and sums esbuild's bytes in the output by package and by
// part of the editor. Minified bytes add up; gzip does not, so only the whole is gzipped.
// Usage: node --import tsx bench/figures/editor-bundle.ts
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build, type Plugin, transform } from 'esbuild'

const root = fileURLToPath(new URL('../..', import.meta.url))

const minifiedCssText: Plugin = {
  name: 'minified-css-text',
  setup(builder) {
    builder.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const { code } = await transform(await readFile(path, 'utf8'), {
        loader: 'css',
        minify: true,
      })
      return { contents: code, loader: 'text' }
    })
  },
}

/** The group an input belongs to: its npm package, or `editor/<file or folder>`. */
function groupOf(input: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
  if (inPackage?.[1]) return inPackage[1]
  const [top, next] = input.split('/')
  return next && top === 'editor' ? `editor/${next.replace(/\.ts$/, '')}` : (top ?? input)
}

const result = await build({
  entryPoints: ['editor/embed.ts'],
  absWorkingDir: root,
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'esm',
  minify: true,
  plugins: [minifiedCssText],
  write: false,
  metafile: true,
  logLevel: 'warning',
})
const output = result.outputFiles[0]
const meta = Object.values(result.metafile.outputs)[0]
if (!output || !meta) throw new Error('esbuild produced no output')
const groups = new Map<string, number>()
for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
  const group = groupOf(input)
  groups.set(group, (groups.get(group) ?? 0) + bytesInOutput)
}
const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`
console.log(
  `editor.js: ${kib(output.contents.length)} minified, ${kib(gzipSync(output.contents, { level: 9 }).length)} gzipped`,
)
for (const [group, bytes] of [...groups].sort((a, b) => b[1] - a[1])) {
  if (bytes >= 512) console.log(`  ${group.padEnd(36)} ${kib(bytes).padStart(10)}`)
}
