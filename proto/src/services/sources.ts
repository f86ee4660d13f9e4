import Type, { type Static } from 'typebox'
import { FileFormat } from '../job.ts'
import { SourceType } from '../recipe.ts'
import { Identifier } from '../identifiers.ts'
import { SourceOptions } from '../source-options.ts'
import { defineEndpoint } from '../transport.ts'
import { Column, Row, Timestamp } from './common.ts'

/** A registered persistent source as every API shows it: the URI with its credentials removed. */
export const Source = Type.Object({
  alias: Identifier,
  type: SourceType,
  uri: Type.String({ description: 'The URI with any password replaced by ***' }),
  columns: Type.Array(Column),
  created_at: Timestamp,
  updated_at: Timestamp
}, { additionalProperties: false })
export type Source = Static<typeof Source>

/** Why a source could not be read when it was registered or updated: a coded reason, never a credential. */
export const SourceProblem = Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false })

/** The answer to RegisterSource and UpdateSource: the source, and `problem` when it could not be read then (it is saved without columns, to be fixed and tested later). */
export const RegisteredSource = Type.Object({ ...Source.properties, problem: Type.Optional(SourceProblem) }, { additionalProperties: false })
export type RegisteredSource = Static<typeof RegisteredSource>

export const Upload = Type.Object({
  upload_id: Type.String(),
  filename: Type.String(),
  format: FileFormat,
  columns: Type.Array(Column),
  size_bytes: Type.Integer({ minimum: 0 }),
  key: Type.String({ description: 'Object storage key of the file' }),
  created_at: Timestamp,
  expires_at: Timestamp
}, { additionalProperties: false })
export type Upload = Static<typeof Upload>

/** Who uploaded a file, as the gateway identified them: `<kind>:<subject>` (api-key:<key id>, jwt:<sub>). */
const UploadOwner = Type.String({ minLength: 1, maxLength: 300 })

const AliasRequest = Type.Object({ alias: Type.String() }, { additionalProperties: false })
const PreviewFilter = Type.Object({
  column: Type.String(),
  op: Type.Enum(['=', '!=', '<', '<=', '>', '>=', 'contains']),
  value: Type.Union([Type.String(), Type.Number(), Type.Boolean()])
}, { additionalProperties: false })

export const RegisterSource = defineEndpoint({
  subject: 'kalla.sources.register.v1',
  request: Type.Object({ alias: Identifier, type: SourceType, uri: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  response: RegisteredSource
})
export const UpdateSource = defineEndpoint({
  subject: 'kalla.sources.update.v1',
  request: Type.Object({ alias: Type.String(), type: Type.Optional(SourceType), uri: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
  response: RegisteredSource
})
export const ListSources = defineEndpoint({ subject: 'kalla.sources.list.v1', request: Type.Object({}), response: Type.Object({ sources: Type.Array(Source) }) })
export const GetSource = defineEndpoint({ subject: 'kalla.sources.get.v1', request: AliasRequest, response: Source })
export const RemoveSource = defineEndpoint({ subject: 'kalla.sources.remove.v1', request: AliasRequest, response: Type.Object({ removed: Type.Boolean() }) })
export const TestSource = defineEndpoint({ subject: 'kalla.sources.test.v1', request: AliasRequest, response: Type.Object({ ok: Type.Boolean(), message: Type.String() }) })
export const SourceColumns = defineEndpoint({ subject: 'kalla.sources.columns.v1', request: AliasRequest, response: Type.Object({ columns: Type.Array(Column) }) })
export const PreviewSource = defineEndpoint({
  subject: 'kalla.sources.preview.v1',
  request: Type.Object({ alias: Type.String(), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50 }), filters: Type.Optional(Type.Array(PreviewFilter, { maxItems: 10 })) }, { additionalProperties: false }),
  response: Type.Object({ columns: Type.Array(Column), rows: Type.Array(Row) })
})
/**
 * Internal only (never exposed by the gateway): a registered source's URI for a worker that is about to
 * connect to it (the matcher, or the recipes service for a preview). The request proves it comes from a
 * holder of `KALLA_RESOLVE_KEY` (`proof`: an HMAC over the alias, `nonce` and `at`, fresh for a few
 * minutes) and the answer carries the URI only sealed to that key and that request (`uri_sealed`), so
 * neither another NATS client nor anyone reading the bus learns a credential. Restrict the subject to the
 * matcher and recipes services in NATS permissions as well (see proto/README.md). Build and open both sides
 * with `sourceAccess` from `@kalla/service`.
 */
export const ResolveSource = defineEndpoint({
  subject: 'kalla.sources.resolve.v2',
  request: Type.Object({
    alias: Type.String({ minLength: 1, maxLength: 63 }),
    nonce: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
    at: Timestamp,
    proof: Type.String({ minLength: 16, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' })
  }, { additionalProperties: false }),
  response: Type.Object({ alias: Type.String(), type: SourceType, uri_sealed: Type.String({ description: 'The URI, AES-256-GCM sealed to the request with KALLA_RESOLVE_KEY' }) }, { additionalProperties: false })
})
/** Records a file already streamed into object storage under `key`: detects format and columns. */
export const CreateUpload = defineEndpoint({
  subject: 'kalla.sources.uploads.create.v1',
  request: Type.Object({
    key: Type.String(),
    filename: Type.String(),
    size_bytes: Type.Integer({ minimum: 0 }),
    uploaded_by: Type.Optional(UploadOwner)
  }, { additionalProperties: false }),
  response: Upload
})
/** The live uploads of one caller, newest first: what the console offers to bind to a run. */
export const ListUploads = defineEndpoint({
  subject: 'kalla.sources.uploads.list.v1',
  request: Type.Object({ uploaded_by: UploadOwner, limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) }, { additionalProperties: false }),
  response: Type.Object({ uploads: Type.Array(Upload) }, { additionalProperties: false })
})
export const GetUpload = defineEndpoint({ subject: 'kalla.sources.uploads.get.v1', request: Type.Object({ upload_id: Type.String() }), response: Upload })
/**
 * An upload with its columns read as a recipe source reads the file: with that source's options
 * (delimiter, encoding, header row, sheet, column types). Uploads are described without options when
 * they arrive; a run binding one to a source with options checks these columns instead.
 */
export const DescribeUpload = defineEndpoint({
  subject: 'kalla.sources.uploads.describe.v1',
  request: Type.Object({ upload_id: Type.String(), options: SourceOptions }, { additionalProperties: false }),
  response: Upload
})
