import { EngineError } from '../../errors.ts'

/** The service-account key a BigQuery source authenticates with (the JSON Google Cloud issues). */
export interface ServiceAccountKey {
  client_email: string
  private_key: string
  private_key_id?: string
  token_uri?: string
  [field: string]: unknown
}

/** A BigQuery source: where its rows are, and how to reach and authenticate to the API. */
export interface BigQuerySource {
  project: string
  dataset?: string
  table?: string
  query?: string
  /** The location (EU, US, europe-west1...) query jobs run in; BigQuery infers it when absent. */
  location?: string
  /** The API's base URL, for private or regional endpoints; Google's public endpoint when absent. */
  endpoint?: string
  credentials?: ServiceAccountKey
  /** Safe to show: "project/dataset", never credentials. */
  display: string
  /** What the rows are, for messages: "the table dataset.invoices" or "the source query". */
  what: string
}

const NAME = /^[A-Za-z0-9_-]+$/
const USAGE = 'Use bigquery://project/dataset?table=name&credentials=<base64 service-account JSON>, or bigquery://project?query=<URL-encoded SQL>&credentials=...'

/**
 * Parses bigquery://project/dataset?table=invoices or bigquery://project[/dataset]?query=SELECT...,
 * with credentials= (the service-account key JSON, base64 or base64url), and optionally location= and
 * endpoint=. The dataset of a query URI is its default dataset.
 * @example parseBigQueryUri('bigquery://acme/ledger?table=invoices&credentials=eyJ0eXBlIjoi...', 'invoices')
 */
export function parseBigQueryUri (uri: string, alias: string): BigQuerySource {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    throw invalid(alias, `the BigQuery URI is not valid. ${USAGE}.`)
  }
  if (url.protocol !== 'bigquery:') throw invalid(alias, `a BigQuery URI must start with bigquery://. ${USAGE}.`)
  const project = decodeURIComponent(url.hostname)
  const path = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent)
  const dataset = path[0]
  if (!NAME.test(project) || path.length > 1 || (dataset !== undefined && !NAME.test(dataset))) {
    throw invalid(alias, `the BigQuery URI must name a project and a dataset as bigquery://project/dataset. ${USAGE}.`)
  }
  const table = url.searchParams.get('table') ?? undefined
  const query = url.searchParams.get('query') ?? undefined
  const display = dataset === undefined ? project : `${project}/${dataset}`
  if ((table === undefined) === (query === undefined)) {
    throw invalid(alias, `the BigQuery URI for ${display} must name either ?table= or ?query=, not ${table === undefined ? 'neither' : 'both'}.`)
  }
  if (table !== undefined && (dataset === undefined || !NAME.test(table))) {
    throw invalid(alias, `a BigQuery ?table= names a table of the dataset in the path: bigquery://project/dataset?table=name (letters, digits, _ and -), got "${table}"${dataset === undefined ? ' without a dataset' : ''}.`)
  }
  const credentials = credentialsOf(url.searchParams.get('credentials'), alias, display)
  const endpoint = endpointOf(url.searchParams.get('endpoint'), alias)
  const location = url.searchParams.get('location') ?? undefined
  return {
    project,
    display,
    what: table === undefined ? 'the source query' : `the table ${dataset!}.${table}`,
    ...(dataset === undefined ? {} : { dataset }),
    ...(table === undefined ? {} : { table }),
    ...(query === undefined ? {} : { query: query.trim().replace(/;+\s*$/, '') }),
    ...(location === undefined ? {} : { location }),
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(credentials === undefined ? {} : { credentials })
  }
}

/** The URI's credentials= value as base64 (standard or URL-safe) of a service-account key JSON. */
export function encodeCredentials (key: object): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url')
}

function credentialsOf (value: string | null, alias: string, display: string): ServiceAccountKey | undefined {
  if (value === null || value === '') return undefined
  // An unencoded + in a query string reads as a space; Node's base64 decoder takes both alphabets.
  const text = value.trimStart().startsWith('{') ? value : Buffer.from(value.replaceAll(' ', '+'), 'base64').toString('utf8')
  let key: Partial<ServiceAccountKey>
  try {
    key = JSON.parse(text) as Partial<ServiceAccountKey>
  } catch {
    throw invalid(alias, `the credentials= of the BigQuery source ${display} are not a service-account key: give the key's JSON file, base64-encoded.`)
  }
  if (typeof key !== 'object' || key === null || typeof key.client_email !== 'string' || typeof key.private_key !== 'string') {
    throw invalid(alias, `the credentials= of the BigQuery source ${display} lack client_email or private_key: give the whole JSON key file of a service account, base64-encoded.`)
  }
  return key as ServiceAccountKey
}

function endpointOf (value: string | null, alias: string): string | undefined {
  if (value === null || value === '') return undefined
  if (!/^https?:\/\/[^/?#]+\/?$/.test(value)) throw invalid(alias, `the BigQuery endpoint= must be a base URL such as https://bigquery.googleapis.com, got "${value}".`)
  return value.replace(/\/$/, '')
}

function invalid (alias: string, message: string): EngineError {
  return new EngineError('ENGINE_SOURCE_URI_INVALID', `${alias}: ${message}`)
}
