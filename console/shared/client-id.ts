/** Ids the console picks for its own messages, so a resend is recognised as the same message. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';

/**
 * 22 random characters from [A-Za-z0-9_-] (132 bits), matching the contract's ClientId.
 * @example newClientId() // "f3K_9aQz0PbW1xL-7cVt2m"
 */
export function newClientId(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(22));
  let id = '';
  for (const b of bytes) id += ALPHABET[b & 63];
  return id;
}
