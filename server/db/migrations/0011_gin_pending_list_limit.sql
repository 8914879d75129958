-- A smaller pending list for the GIN indexes that the message path writes (schema.ts,
-- GIN_PENDING_LIST_KB). drizzle-kit generated DROP INDEX + CREATE INDEX ... WITH (...); ALTER INDEX
-- SET gives the indexes the same storage parameter at once instead of rebuilding them (minutes on a
-- large messages table, with search unavailable meanwhile). The snapshot records the parameter.
ALTER INDEX "conversations_labels_idx" SET (gin_pending_list_limit = 256);--> statement-breakpoint
ALTER INDEX "messages_search_idx" SET (gin_pending_list_limit = 256);--> statement-breakpoint
ALTER INDEX "visitors_search_idx" SET (gin_pending_list_limit = 256);
