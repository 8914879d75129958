/** The origins typed into the Sites page, one per line, checked as the server will check them. */
export type ParsedOrigins = { ok: true; origins: string[] } | { ok: false; bad: string[] };

export function parseOrigins(text: string): ParsedOrigins {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const bad: string[] = [];
  const origins: string[] = [];
  for (const line of lines) {
    try {
      const url = new URL(line);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
      origins.push(url.origin);
    } catch {
      bad.push(line);
    }
  }
  if (bad.length || origins.length === 0) return { ok: false, bad };
  return { ok: true, origins: [...new Set(origins)] };
}
