/**
 * The S3 store against a server that takes connections and never answers (a stalled store or proxy):
 * uploads and downloads fail instead of waiting for ever. The happy path runs against a real S3
 * server in test/integration/attachments-s3.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { S3ClientConfig } from '@aws-sdk/client-s3';
import { s3Storage } from '../../server/attachments/storage-s3.ts';

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
