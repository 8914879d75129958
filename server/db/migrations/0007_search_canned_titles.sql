ALTER TABLE "canned_replies" ADD COLUMN "title" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "canned_replies_site_code_uq" ON "canned_replies" USING btree ("site_id","short_code") WHERE agent_id IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "canned_replies_personal_code_uq" ON "canned_replies" USING btree ("site_id","agent_id","short_code") WHERE agent_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin (search_grams("body"));--> statement-breakpoint
CREATE INDEX "visitors_search_idx" ON "visitors" USING gin (search_grams(coalesce("name", '') || ' ' || coalesce("email", '')));