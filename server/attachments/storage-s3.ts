/**
 * The S3-compatible store (AWS S3, MinIO, Cloudflare R2, Aliyun OSS…), chosen by S3_BUCKET; see the
 * README's Attachments section for the variables. Objects are private: the server streams them to
 * whoever its routes allow, with its own headers, so the bucket needs no public access and no CORS.
 * Tested against a real S3 server over HTTP (s3rver: test/integration/attachments-s3.test.ts).
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { UploadsConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { checkKey, isKey, LIST_PAGE, type Storage } from './storage.ts';

/**
 * Without timeouts the SDK waits for ever on a store that takes the connection and never answers (a
 * stalled node or proxy), and each upload or download waiting on it holds its request and its file.
 * connectionTimeout bounds the TCP connect; requestTimeout the time until the response's headers,
 * and throwOnRequestTimeout makes going past it an error (by default it only logs a warning). The
 * SDK tries a timed-out request three times in all, so a dead store fails a download within about
 * 15 s. No socketTimeout: a download streamed to a slow browser leaves the store's socket idle while
 * the browser catches up, which must not end it.
 */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 5_000;
/** An upload's request also sends its bytes first: this much more time per MB, as over a 1 MB/s link. */
const UPLOAD_MS_PER_MB = 1_000;

export function s3Storage(config: Extract<UploadsConfig, { driver: 's3' }>, tmpDir: string): Storage {
  const client = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    // The SDK's default since 2025 sends a streamed body as `aws-chunked` with a trailing CRC32, which
    // AWS understands but several S3-compatible stores do not: they keep the chunk framing as part of
    // the object (seen with s3rver: a 200 KB file came back 53 bytes longer). A checksum only where an
    // operation requires one is what every compatible store accepts; TLS and the stored size
    // (ContentLength) still guard the bytes.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The options of the SDK's NodeHttpHandler, which it builds from them.
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    // Without keys in the environment, the SDK's own chain (instance role, shared config) applies.
    ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
  });
  const Bucket = config.bucket;
  // Keys are `<site>/<uuid>` to the rest of the product; in the bucket, under the deployment's prefix.
  const prefix = config.prefix ?? '';
  const objectKey = (key: string) => prefix + checkKey(key);
  return {
    tmpDir,
    async put(key, tmpPath, size) {
      try {
        // A known length lets a plain PutObject stream the file, with no multipart upload to clean up.
        await client.send(new PutObjectCommand({ Bucket, Key: objectKey(key), Body: createReadStream(tmpPath), ContentLength: size }), {
          requestTimeout: REQUEST_TIMEOUT_MS + Math.ceil(size / 1_048_576) * UPLOAD_MS_PER_MB,
        });
      } finally {
        await rm(tmpPath, { force: true });
      }
    },
    async get(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket, Key: objectKey(key) }));
        return out.Body as Readable;
      } catch (err) {
        if (err instanceof NoSuchKey) throw new AppError('NOT_FOUND');
        throw err;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: objectKey(key) }));
    },
    async *list(before) {
      let ContinuationToken: string | undefined;
      do {
        const out = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix || undefined, ContinuationToken, MaxKeys: LIST_PAGE }));
        const keys = (out.Contents ?? [])
          .filter((o) => o.Key?.startsWith(prefix) && o.LastModified && o.LastModified < before)
          .map((o) => o.Key!.slice(prefix.length))
          .filter(isKey);
        if (keys.length) yield keys;
        ContinuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
  };
}
