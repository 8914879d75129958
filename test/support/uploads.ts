/** Files for attachment tests, and uploads sent as the widget and the console send them. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import type { Backend } from './db.ts';
import { login, startTestServer, type TestServer } from './server.ts';

/** A test server keeping attachments on disk in a folder of its own; `admin`: an admin's session cookie; `close` removes both. */
export async function startUploadsServer(backend: Backend): Promise<{ server: TestServer; uploads: string; admin: string; close(): Promise<void> }> {
  const uploads = await mkdtemp(path.join(os.tmpdir(), 'sc-uploads-'));
  const server = await startTestServer(backend, { uploads: { driver: 'disk', dir: uploads } });
  return {
    server,
    uploads,
    admin: await login(server.url),
    async close() {
      await server.close();
      await rm(uploads, { recursive: true, force: true });
    },
  };
}

/** Every stored file under an uploads folder `dir`, but the temporary ones, sorted. */
export async function storedFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile() && !e.parentPath.split(path.sep).includes('.tmp')) out.push(path.join(e.parentPath, e.name));
  }
  return out.sort();
}

/** A valid PNG of `w`×`h` pixels of one colour. */
export function png(w = 2, h = 2, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const c = Buffer.alloc(4);
    c.writeUInt32BE(crc(td));
    return Buffer.concat([len, td, c]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A minimal PDF (enough for a signature check). */
export const pdf = (): Buffer => Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

export interface UploadResult<T = any> {
  status: number;
  body: { ok: true; data: T } | { ok: false; error: { code: string } };
}

async function send(url: string, form: FormData, headers: Record<string, string> = {}): Promise<UploadResult> {
  const res = await fetch(url, { method: 'POST', body: form, headers });
  return { status: res.status, body: await res.json() };
}

/** A visitor's upload: token and clientId fields first, then the file. */
export function visitorUpload(base: string, site: string, token: string | undefined, file: { name: string; bytes: Buffer; type?: string }, clientId: string) {
  const form = new FormData();
  if (token !== undefined) form.append('token', token);
  form.append('clientId', clientId);
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  return send(`${base}/api/widget/attachments?site=${encodeURIComponent(site)}`, form);
}

/** An agent's upload to a conversation, with their session cookie. */
export function agentUpload(base: string, cookie: string, conversationId: string, file: { name: string; bytes: Buffer; type?: string }, clientId: string) {
  const form = new FormData();
  form.append('clientId', clientId);
  form.append('file', new Blob([new Uint8Array(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  return send(`${base}/api/conversations/${conversationId}/attachments`, form, { cookie });
}
