/** The localStorage keys of a site's widget data; tiny on purpose, since the launcher reads one before anything loads. */

/** The visitor token the server issued (SessionDTO.token). */
export const tokenKey = (site: string): string => `support-chat:${site}:token`;

/** Messages written but not yet acknowledged (see outbox.ts). */
export const outboxKey = (site: string): string => `support-chat:${site}:outbox`;

/** Resolved tickets this browser chose not to rate (support-chat-csat.ts); not per site: ids are unique. */
export const csatSkippedKey = 'support-chat:csat-skipped';
