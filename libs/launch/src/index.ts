export { cacheDirOf, currentBundle, keyOf, launch, ROOT, type LaunchOptions } from './launch.ts'
