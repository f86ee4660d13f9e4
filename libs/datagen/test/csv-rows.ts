import { readFile } from 'node:fs/promises'

/** The rows of a small CSV file as objects keyed by the header, for tests. */
export async function csvRows (path: string): Promise<Record<string, string>[]> {
  const [header = '', ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\n')
  const names = header.split(',')
  return lines.map((line) => {
    const fields = line.split(',')
    return Object.fromEntries(names.map((name, i) => [name, fields[i] ?? '']))
  })
}

/** "1234.50" -> 123450, through string digits only. */
export function cents (amount: string | undefined): number {
  const [units = '', fraction = ''] = (amount ?? '').split('.')
  const value = Number(units.replace('-', '')) * 100 + Number(fraction.padEnd(2, '0'))
  return units.startsWith('-') ? -value : value
}

/** Days between two YYYY-MM-DD dates. */
export function daysBetween (from: string | undefined, to: string | undefined): number {
  return (Date.parse(to ?? '') - Date.parse(from ?? '')) / 86_400_000
}
