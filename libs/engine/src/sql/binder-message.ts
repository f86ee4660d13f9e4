const NUMBER = /^(TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DECIMAL|NUMERIC|DOUBLE|FLOAT|REAL|BIGNUM|INT\d+|UINT\d+)\b/i
const TYPE_NAME = /\b(VARCHAR|TIMESTAMP WITH TIME ZONE|TIMESTAMP_TZ|TIMESTAMP(_[A-Z]+)?|DATE|BOOLEAN|INTERVAL|UUID|BLOB|(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|DOUBLE|FLOAT|BIGNUM|INT64|INT32|INT128)|DECIMAL\(\d+,\s*\d+\))\b/g

/** A DuckDB type as a finance user would say it: text, number, date, timestamp, true/false. */
export function typeWord (type: string): string {
  const t = type.trim().toUpperCase()
  if (/^(VARCHAR|TEXT|STRING|CHAR|BPCHAR)\b/.test(t)) return 'text'
  if (NUMBER.test(t)) return 'number'
  if (t === 'DATE') return 'date'
  if (/^TIMESTAMP( WITH TIME ZONE|_TZ)$|^TIMESTAMPTZ$/.test(t)) return 'timestamp with time zone'
  if (t.startsWith('TIMESTAMP')) return 'timestamp'
  if (t === 'BOOLEAN' || t === 'BOOL') return 'true/false'
  return t.toLowerCase()
}

/**
 * DuckDB's binder message in words for the person who wrote the SQL: no error class, echoed SQL,
 * caret or candidate lists, and type names as text, number or date. The full message belongs in the log.
 * @example plainBinderMessage('Binder Error: Cannot mix values of type VARCHAR and DECIMAL(18,2) in BETWEEN clause - an explicit cast is required') // 'BETWEEN cannot mix text and number values; cast one side.'
 */
export function plainBinderMessage (message: string): string {
  const text = message
    .replace(/^[A-Za-z ]+ Error: /, '')
    .replace(/\n\s*LINE \d+:[\s\S]*$/, '')
    .replace(/\s*Candidate (functions|bindings|tables):[\s\S]*?(?=\n\s*Did you mean|$)/, '')
    .replace(/\s*\n\s*/g, ' ')
    .trim()
  const missing = /^(?:Scalar |Aggregate |Table )?Function with name "?([^"\s!]+)"? does not exist!(?: Did you mean "([^"]+)"\?)?/i.exec(text)
  if (missing !== null) return `the function ${missing[1]}() does not exist.${missing[2] === undefined ? '' : ` Did you mean ${missing[2]}()?`}`
  const noMatch = /^No function matches the given name and argument types '([^(]+)\((.*)\)'/.exec(text)
  if (noMatch !== null) return `${noMatch[1]} cannot take (${noMatch[2]!.split(/,\s*(?![^(]*\))/).map(typeWord).join(', ')}) values; cast one of them.`
  const mix = /^Cannot mix values of type (.+?) and (.+?) in (\w+) clause/.exec(text)
  if (mix !== null) return `${mix[3]} cannot mix ${typeWord(mix[1]!)} and ${typeWord(mix[2]!)} values; cast one side.`
  const convert = /^Could not convert string '([^']*)' to (\w+)/.exec(text)
  if (convert !== null) return `the text '${convert[1]}' is not ${typeWord(convert[2]!) === 'number' ? 'a number' : `a ${typeWord(convert[2]!)}`}.`
  return text.replace(TYPE_NAME, (name) => typeWord(name)).replace(/ - an explicit cast is required/, '; cast one side').replace(/([^.!?])$/, '$1.')
}
