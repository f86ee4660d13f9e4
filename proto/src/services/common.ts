import Type from 'typebox'

export const Timestamp = Type.String({ format: 'date-time' })
export const Column = Type.Object({ name: Type.String(), type: Type.String() }, { additionalProperties: false })
export const Row = Type.Record(Type.String(), Type.Unknown())
export const Empty = Type.Object({}, { additionalProperties: false })
export const Ok = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false })
export const ProblemSchema = Type.Object({ code: Type.String(), message: Type.String(), path: Type.Optional(Type.String()) }, { additionalProperties: false })

/** A file bound to a file source for one run or preview. */
export const FileBinding = Type.Object({ alias: Type.String(), upload_id: Type.String() }, { additionalProperties: false })
