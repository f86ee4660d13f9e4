export { uploadRoutes, type HttpUpload, type UploadRoutesOptions } from './upload-routes.ts'
export { receiveUpload, type ReceiveUploadDeps } from './receive-upload.ts'
export { newUploadId, tooLarge, uploadIdOfKey, uploadKey } from './upload-keys.ts'
export { UploadErrors } from './errors.ts'
