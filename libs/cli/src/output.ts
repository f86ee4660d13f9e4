/** Where the CLI writes; a test passes collecting streams instead of the process's. */
export interface Output {
  stdout: NodeJS.WritableStream & { isTTY?: boolean, columns?: number }
  stderr: NodeJS.WritableStream & { isTTY?: boolean }
}

/** Wrong arguments: reported with the usage text and exit code 2. */
export class UsageError extends Error {}
