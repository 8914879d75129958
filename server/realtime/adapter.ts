/** The Redis adapter's publishing client, made safe to lose. */

/**
 * The adapter publishes without looking at the result: a publish that fails while Redis is down,
 * or after the client was closed (a presence update during shutdown), must not become an unhandled
 * rejection, which ends the process. The broadcast is lost to the other nodes; clients fill the gap
 * by sequence number. Returns the same client.
 */
export function losePublishFailures<C extends { publish: (...args: never[]) => Promise<unknown> }>(pub: C): C {
  const publish = pub.publish.bind(pub) as (...args: unknown[]) => Promise<unknown>;
  Object.defineProperty(pub, 'publish', {
    value: (...args: unknown[]) => {
      const sent = publish(...args);
      sent.catch(() => {});
      return sent;
    },
  });
  return pub;
}
