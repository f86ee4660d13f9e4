// Query parameters whose value is a credential, in any URI scheme (postgres sslpassword, bigquery
// credentials, elasticsearch api_key, signed URLs...).
const SECRET_PARAM = /pass|pwd|secret|token|credential|api[_-]?key|access[_-]?key|private[_-]?key|auth|signature|sig$/i
const MASK = '***'

/**
 * The URI as every response and message may show it: a password in the user info and the values
 * of credential-like query parameters become ***; everything else (host, database, table, query)
 * is kept as written.
 * @example redactUri('postgres://app:pw@db:5432/erp?table=invoices') // 'postgres://app:***@db:5432/erp?table=invoices'
 */
export function redactUri (uri: string): string {
  const hashAt = uri.indexOf('#')
  const withoutHash = hashAt === -1 ? uri : uri.slice(0, hashAt)
  const queryAt = withoutHash.indexOf('?')
  const base = queryAt === -1 ? withoutHash : withoutHash.slice(0, queryAt)
  const query = queryAt === -1 ? undefined : withoutHash.slice(queryAt + 1)
  return redactUserInfo(base) + (query === undefined ? '' : `?${redactQuery(query)}`)
}

function redactUserInfo (base: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/]*)@/.exec(base)
  if (match === null) return base
  const [whole, scheme = '', userInfo = ''] = match
  const colon = userInfo.indexOf(':')
  const shown = colon === -1 ? userInfo : `${userInfo.slice(0, colon)}:${MASK}`
  return `${scheme}${shown}@${base.slice(whole.length)}`
}

function redactQuery (query: string): string {
  return query.split('&').map((pair) => {
    const equals = pair.indexOf('=')
    if (equals === -1) return pair
    const name = safeDecode(pair.slice(0, equals))
    return SECRET_PARAM.test(name) ? `${pair.slice(0, equals)}=${MASK}` : pair
  }).join('&')
}

function safeDecode (text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return text
  }
}

/** Removes a URI's secrets from a message that might quote them (a driver's error text, say). */
export function scrubSecrets (message: string, uri: string): string {
  let clean = message.split(uri).join(redactUri(uri))
  for (const secret of uriSecrets(uri)) clean = clean.split(secret).join(MASK)
  return clean
}

function uriSecrets (uri: string): string[] {
  const secrets: string[] = []
  try {
    const url = new URL(uri)
    if (url.password !== '') secrets.push(url.password, safeDecode(url.password))
    for (const [name, value] of url.searchParams) if (SECRET_PARAM.test(name) && value !== '') secrets.push(value)
  } catch {
    // Not a URL: nothing more can be recognised as a secret.
  }
  // A very short secret would mask ordinary words; such a secret is also not worth guessing at.
  return [...new Set(secrets)].filter((s) => s.length >= 4)
}

/**
 * True when the URI carries a credential: a password in its user info or a credential-like query
 * parameter. Such a URI must be registered as a source (sealed) rather than written into a recipe.
 * @example uriHasCredentials('postgres://app:pw@db/erp?table=t') // true; 'postgres://app@db/erp?table=t' is false
 */
export function uriHasCredentials (uri: string): boolean {
  // A masked URI (`app:***@`) counts too: it stands for a credential that was removed.
  return redactUri(uri.replaceAll(MASK, 'x')) !== uri.replaceAll(MASK, 'x')
}
