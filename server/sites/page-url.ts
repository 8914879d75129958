/** The page a visitor wrote from, as stored and shown to agents. */
import type { Site } from '../db/schema.ts';

/**
 * The URL to store for a page: without its query string and fragment (and any user:password),
 * which can hold password-reset links and access tokens, unless the site keeps full URLs.
 *
 * @example pageUrlToStore(site, 'https://a.example/reset?token=s3cret#x') // 'https://a.example/reset'
 */
export function pageUrlToStore(site: Pick<Site, 'keepFullPageUrls'>, url: string | null | undefined): string | null {
  if (!url) return null;
  if (site.keepFullPageUrls) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null; // the payload schema only lets absolute http(s) URLs through; store nothing rather than guess
  }
  return `${parsed.origin}${parsed.pathname}`;
}
