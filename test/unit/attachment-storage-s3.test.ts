/**
 * The S3 store against a server that takes connections and never answers (a stalled store or proxy):
 * uploads and downloads fail instead of waiting for ever. The happy path runs against a real S3
 * server in test/integration/attachments-s3.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { s3Storage } from '../../server/attachments/storage-s3.ts';
import { createLogger } from '../../server/logger.ts';

/** What each S3Client was made with: the SDK's own client, its options recorded. */
const made = vi.hoisted(() => [] as unknown[]);
vi.mock('@aws-sdk/client-s3', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-s3')>();
  class S3Client extends sdk.S3Client {
    constructor(config: S3ClientConfig) {
      made.push(config);
      super(config);
    }
  }
  return { ...sdk, S3Client };
});

const key = 'demo/6f1c2a3b-1d2e-4f50-8a9b-0c1d2e3f4a5b';

describe('the S3 store when the store never answers', () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.resume();
  });
  let dir: string;
  let store: ReturnType<typeof s3Storage>;

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    dir = await mkdtemp(path.join(os.tmpdir(), 'sc-s3-stall-'));
    store = s3Storage(
      { driver: 's3', bucket: 'b', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true },
      dir,
    );
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('builds its client with connection and request timeouts that throw', () => {
    expect(made.at(-1)).toMatchObject({
      requestHandler: { connectionTimeout: expect.any(Number), requestTimeout: expect.any(Number), throwOnRequestTimeout: true },
    });
  });

  // Without timeouts each of these waited for ever: the test's timeout (30 s) is the bound.
  it('fails a download', async () => {
    const before = sockets.length;
    await expect(store.get(key)).rejects.toMatchObject({ name: 'TimeoutError' });
    // The server was reached: the request was made and timed out, not refused.
    expect(sockets.length).toBeGreaterThan(before);
  });

  it('fails an upload, and removes its temporary file', async () => {
    await mkdir(store.tmpDir, { recursive: true });
    const tmp = path.join(store.tmpDir, 'upload');
    await writeFile(tmp, Buffer.alloc(1024, 1));
    await expect(store.put(key, tmp, 1024)).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(rm(tmp)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

/**
 * An S3 service that refuses the signature answers as AWS does: SignatureDoesNotMatch, with the access
 * key id, the signature sent, the string it signed and the canonical request (s3rver checks no SigV4
 * signature, so this server plays that part). The SDK puts them on its error; the log must not.
 */
describe('the S3 store when the service refuses its signature', () => {
  const keyId = 'AKIAEXAMPLEKEY7Q2W3E';
  let provided = '';
  const server = createHttpServer((req, res) => {
    provided = /Signature=([0-9a-f]+)/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const signed = `AWS4-HMAC-SHA256\n${req.headers['x-amz-date']}\n20261205/us-east-1/s3/aws4_request\n${'e'.repeat(64)}`;
    const canonical = `${req.method}\n${req.url}\n\nhost:${req.headers.host}`;
    const hex = (s: string) => Buffer.from(s).toString('hex').match(/../g)!.join(' ');
    res.writeHead(403, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>` +
        `<Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message>` +
        `<AWSAccessKeyId>${keyId}</AWSAccessKeyId><StringToSign>${signed}</StringToSign><SignatureProvided>${provided}</SignatureProvided>` +
        `<StringToSignBytes>${hex(signed)}</StringToSignBytes><CanonicalRequest>${canonical}</CanonicalRequest>` +
        `<CanonicalRequestBytes>${hex(canonical)}</CanonicalRequestBytes><RequestId>4442587FB7D0A2F9</RequestId><HostId>host-id</HostId></Error>`,
    );
  });
  let dir: string;
  let store: ReturnType<typeof s3Storage>;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    dir = await mkdtemp(path.join(os.tmpdir(), 'sc-s3-sig-'));
    store = s3Storage(
      { driver: 's3', bucket: 'b', endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId: keyId, secretAccessKey: 'wrong-secret', forcePathStyle: true },
      dir,
    );
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('is logged with its code and request id, without the key id, the signature or what was signed', async () => {
    const err = await store.delete(key).then(
      () => expect.fail('the refusal was not an error'),
      (e: unknown) => e as Record<string, string>,
    );
    // What the SDK gives the product: the service's fields on the error, secrets among them.
    expect(err).toMatchObject({ name: 'SignatureDoesNotMatch', AWSAccessKeyId: keyId, SignatureProvided: provided });
    expect(provided).toMatch(/^[0-9a-f]{64}$/);
    const lines: string[] = [];
    createLogger('info', { write: (line: string) => void lines.push(line) }).warn({ err }, 'deleting an object failed');
    const out = lines.join('');
    expect(out).toContain('SignatureDoesNotMatch');
    expect(out).toContain('4442587FB7D0A2F9');
    expect(out).not.toContain(keyId);
    expect(out).not.toContain(provided);
    expect(out).not.toContain('AWS4-HMAC-SHA256');
    expect(out).not.toContain('aws4_request');
  });
});
