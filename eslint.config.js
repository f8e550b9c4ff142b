// ESLint: type-aware promise rules, strict equality and folder boundaries. Import cycles are
// checked by madge (npm run lint).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * Imports each folder must not make (dependency direction in STYLE.md / ARCHITECTURE.md). The core
 * sees the store only through persistence/store.ts; rooms know nothing of WebSockets or HTTP.
 */
const serverCore = [
  '**/cli/**',
  '**/auth/**',
  '**/editor/**',
  '**/metrics/**',
  '**/webhooks/**',
  '**/content/**',
  'prom-client',
  'leveldown',
  'pg',
  'ioredis',
  '**/scale/**',
  '**/persistence/leveldb/**',
  '**/persistence/memory/**',
  '**/persistence/postgres/**',
]
// Adapters of the server's seams see it through its public entry only.
const serverAdapter = [
  ['**/server/**', '!**/server/index.js', '!**/server/logger.js'],
  '**/persistence/**',
  '**/cli/**',
  '**/auth/**',
]
const boundaries = {
  protocol: ['node:*', '**/server/**', '**/persistence/**', '**/cli/**', '**/editor/**', 'ws'],
  persistence: ['**/server/**', '**/cli/**', '**/editor/**'],
  // An authenticator implements server/auth.ts and needs nothing else of the server.
  auth: [['**/server/**', '!**/server/auth.js'], '**/persistence/**', '**/cli/**', '**/editor/**'],
  server: serverCore,
  // Flat config replaces a rule per file, so the nested folder repeats its parent's list.
  'server/rooms': [...serverCore, 'ws', 'hono', '@hono/*', 'node:http', '**/ws/**', '**/http/**'],
  editor: ['**/server/**', '**/persistence/**', '**/auth/**', '**/cli/**', 'node:*'],
  metrics: [...serverAdapter, '**/webhooks/**', '**/content/**'],
  webhooks: [...serverAdapter, '**/metrics/**', 'prom-client'],
  // The cluster bus implements server/cluster.ts, seen through the server's public entry.
  scale: [...serverAdapter, '**/metrics/**', '**/webhooks/**', '**/content/**', 'pg'],
  // The content of a document, by the editor's schema: no DOM, and of the server only its public
  // entry, for the DocumentFormats seam that content/editor-formats.ts implements.
  content: [
    ['**/server/**', '!**/server/index.js'],
    '**/persistence/**',
    '**/cli/**',
    ['**/editor/**', '!**/editor/schema.js'],
  ],
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'bench/results/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'suite'], package: 'node:test' },
          ],
        },
      ],
      // Yjs types define toString() in JavaScript, which the type declarations do not show.
      '@typescript-eslint/no-base-to-string': [
        'error',
        { ignoredTypeNames: ['YText', 'YXmlFragment', 'YXmlElement', 'YXmlText'] },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  ...Object.entries(boundaries).map(([folder, forbidden]) => ({
    files: [`${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // An entry is a pattern, or a pattern with its exceptions ('!…') in one group.
          patterns: forbidden.map((entry) => {
            const group = [entry].flat()
            return { group, message: `${folder}/ must not import ${group[0]}` }
          }),
        },
      ],
    },
  })),
  {
    files: [
      'cli/**/*.ts',
      'bench/**/*.ts',
      'fuzz/**/*.ts',
      'scripts/**/*',
      'test/**/*.ts',
      'examples/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
)
