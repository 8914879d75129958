/**
 * Reads one multipart upload as it arrives (busboy): the file goes to a temporary file, never into
 * memory beyond its first SAMPLE_BYTES (kept to read its type), and the upload is refused as soon
 * as it passes the site's limit, or before a byte is read when its declared length already does.
 * The sender is admitted from the fields sent before the file (a widget's token) before any of the
 * file is read: a refused one costs no parsing and no disk.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Request, Response } from 'express';
import busboy from 'busboy';
import { AppError } from '../errors.ts';
import { SAMPLE_BYTES } from './detect.ts';

export interface Received {
  /** Text fields sent before the file (the visitor token, a client id). */
  fields: Record<string, string>;
  name: string;
  size: number;
  tmpPath: string;
  /** The first bytes, for detectType. */
  sample: Buffer;
}

/** Room for the multipart framing and the small fields around the file. */
const FRAMING_BYTES = 16 * 1024;

/** What is read (and discarded) of a refused upload's rest before the connection is cut. */
const DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * Stops keeping a refused upload: the rest of the body is read and discarded (no buffer grows), so
 * the client can read the answer that goes out at once, but a sender that goes on past DRAIN_BYTES
 * is cut off.
 */
export function refuseRest(req: Request, _res: Response): void {
  req.unpipe();
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_BYTES) req.socket.destroy();
  });
  req.resume();
}

/** A file name as shown to people: no path, no control characters, at most 200 characters. */
export function cleanName(raw: string | undefined): string {
  const base = (raw ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return clean || 'file';
}

export interface ReceiveOptions {
  maxBytes: number;
  tmpDir: string;
  /**
   * Checks the sender from the text fields sent before the file, once the file part begins and
   * before a byte of it is read or written; throws (an AppError) to refuse the upload.
   */
  admit?: (fields: Readonly<Record<string, string>>) => Promise<void>;
}

export async function receiveFile(req: Request, res: Response, opts: ReceiveOptions): Promise<Received> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBytes + FRAMING_BYTES) {
    refuseRest(req, res);
    throw new AppError('FILE_TOO_LARGE');
  }
  const tmpPath = path.join(opts.tmpDir, randomUUID());
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, defParamCharset: 'utf8', limits: { files: 1, fileSize: opts.maxBytes, fields: 8, fieldSize: 1024, parts: 10 } });
  } catch {
    // Not multipart, or no boundary.
    throw new AppError('INVALID_PAYLOAD');
  }
  const fields: Record<string, string> = {};
  return new Promise<Received>((resolve, reject) => {
    let settled = false;
    let got: Promise<Omit<Received, 'fields'>> | undefined;
    let file: NodeJS.ReadableStream & { destroy(): void } | undefined;
    let sink: ReturnType<typeof createWriteStream> | undefined;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      refuseRest(req, res);
      // The write stops with the file stream, and is closed itself: a file refused at its size
      // limit has been read to its end by busboy, so destroying its stream alone left the pipeline
      // waiting and the temporary file open (a descriptor per refused upload). The partial file
      // goes once the write has let go of it.
      file?.destroy();
      sink?.destroy();
      void (got ?? Promise.resolve()).catch(() => {}).finally(() => rm(tmpPath, { force: true }));
      reject(err);
    };
    parser.on('field', (key, value) => {
      fields[key] = value;
    });
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || got) {
        stream.resume();
        return;
      }
      file = stream;
      // Until the sender is admitted nobody reads the file's stream, so busboy holds the part back
      // (backpressure) and the request stops being read: at most a few buffers of it are in memory.
      got = (opts.admit?.(fields) ?? Promise.resolve()).then(async () => {
        if (settled) throw new AppError('INVALID_PAYLOAD');
        // Past the limit while the sender was being checked (busboy flags it as it parses).
        if (stream.truncated) throw new AppError('FILE_TOO_LARGE');
        stream.on('limit', () => fail(new AppError('FILE_TOO_LARGE')));
        const chunks: Buffer[] = [];
        let size = 0;
        const count = new Transform({
          transform(chunk: Buffer, _enc, done) {
            if (size < SAMPLE_BYTES) chunks.push(chunk.subarray(0, SAMPLE_BYTES - size));
            size += chunk.length;
            done(null, chunk);
          },
        });
        await mkdir(opts.tmpDir, { recursive: true });
        if (settled) throw new AppError('INVALID_PAYLOAD');
        sink = createWriteStream(tmpPath);
        await pipeline(stream, count, sink);
        return { name: cleanName(info.filename), size, tmpPath, sample: Buffer.concat(chunks) };
      });
      got.catch(fail);
    });
    parser.on('error', () => fail(new AppError('INVALID_PAYLOAD')));
    parser.on('partsLimit', () => fail(new AppError('INVALID_PAYLOAD')));
    parser.on('fieldsLimit', () => fail(new AppError('INVALID_PAYLOAD')));
    parser.on('close', () => {
      if (settled) return;
      if (!got) return fail(new AppError('INVALID_PAYLOAD'));
      got.then(
        (file) => {
          if (settled) return;
          settled = true;
          resolve({ fields, ...file });
        },
        fail,
      );
    });
    req.on('aborted', () => fail(new AppError('INVALID_PAYLOAD')));
    req.pipe(parser);
  });
}
