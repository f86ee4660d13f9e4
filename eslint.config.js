import neostandard, { plugins } from 'neostandard'

export default [
  ...neostandard({ ts: true, ignores: ['**/node_modules/**', '.tools/**', 'tap-snapshots/**', '**/.tsbuild/**', 'examples/data/**', 'bench/data/**', 'bench/results/**', 'console/dist/**', 'console/.dist-*/**', 'console/src/graphql-env.d.ts'] }),
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname }
    },
    plugins: { '@typescript-eslint': plugins['typescript-eslint'].plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // A TypeBox schema and its derived type share one name by design; tsc reports real redeclarations.
      'no-redeclare': 'off',
      '@typescript-eslint/no-redeclare': 'off'
    }
  },
  {
    // tap awaits every subtest it is handed, so t.test(...) needs no await.
    files: ['**/test/**/*.ts', 'bench/**/*.ts', 'services/*/bench/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' }
  }
]
