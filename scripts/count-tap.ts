// Counts test cases in a tap stream: the points one level inside each test file.
// A file that failed without reporting a failing case (a crash, a timeout) counts as one failure.
import { readFileSync } from 'node:fs'

const lines = readFileSync(process.argv[2] ?? '/dev/stdin', 'utf8').split('\n')
let passed = 0
let failed = 0
let fileFailures = 0
for (const line of lines) {
  if (/^ {4}ok \d+/.test(line) && !/# SKIP/.test(line)) passed++
  else if (/^ {4}not ok \d+/.test(line) && !/# TODO/.test(line)) { failed++; fileFailures++ } else if (/^not ok \d+/.test(line)) {
    if (fileFailures === 0) failed++
    fileFailures = 0
  } else if (/^ok \d+/.test(line)) fileFailures = 0
}
process.stdout.write(`${passed} ${failed}\n`)
