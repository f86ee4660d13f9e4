export * from './common.ts'
export * from './sources.ts'
export * from './recipes.ts'
export * from './runs.ts'
