import { codedErrors } from '@kalla/service'

// The codes keep the SOURCES_ prefix they were published with: clients already match on them.
export const UploadErrors = codedErrors({
  SOURCES_UPLOAD_MISSING_FILE: 400,
  SOURCES_UPLOAD_TOO_LARGE: 413,
  SOURCES_UPLOAD_REJECTED: 400,
  SOURCES_UPLOAD_MALFORMED: 400,
  SOURCES_UPLOAD_TRUNCATED: 400,
  SOURCES_UPLOAD_FILENAME_INVALID: 400
})
