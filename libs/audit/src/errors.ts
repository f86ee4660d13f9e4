import { codedErrors } from '@kalla/service'

export const AuditErrors = codedErrors({
  // The action is refused (or its answer withheld) rather than left unrecorded.
  AUDIT_WRITE_FAILED: 503,
  AUDIT_QUERY_INVALID: 400
})
