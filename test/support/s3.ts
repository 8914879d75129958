/**
 * A real S3-compatible server in the test process (s3rver: the S3 REST API over HTTP, with SigV4
 * signatures checked, objects kept in a temporary folder), for the object-storage driver.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// s3rver ships no types: the little used here is declared below.
// @ts-expect-error no declaration file
import S3rver from 's3rver';
import type { UploadsConfig } from '../../server/config.ts';

interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}

export interface TestBucket {
  /** What S3_* variables configure (server/config.ts), for this server and bucket. */
  config: Extract<UploadsConfig, { driver: 's3' }>;
  /** The folder s3rver keeps the bucket's objects in. */
  dir: string;
  /** Stops the server (the bucket becomes unreachable); `start` brings it back on the same port with its objects. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startS3Server(bucket = 'support-chat-test'): Promise<TestBucket> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sc-s3-'));
  const make = (port: number): S3rverInstance =>
    new S3rver({ port, address: '127.0.0.1', directory: dir, silent: true, configureBuckets: [{ name: bucket }] }) as S3rverInstance;
  let server = make(0);
  const { port } = await server.run();
  let running = true;
  const stop = async () => {
    if (running) await server.close();
    running = false;
  };
  return {
    // s3rver's default credentials. It checks the access key id, not a SigV4 signature.
    config: { driver: 's3', bucket, endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true },
    dir: path.join(dir, bucket),
    stop,
    async start() {
      if (running) return;
      server = make(port);
      await server.run();
      running = true;
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
