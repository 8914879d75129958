CREATE TABLE "metrics_ticket_days" (
	"site_id" text NOT NULL,
	"day" date NOT NULL,
	"locale" text NOT NULL,
	"tickets" integer NOT NULL,
	"responded" integer NOT NULL,
	"resolved" integer NOT NULL,
	"weighted" double precision NOT NULL,
	"verifiable" integer NOT NULL,
	"verified" integer NOT NULL,
	"unverified_yet" integer NOT NULL,
	"surveyed" integer NOT NULL,
	"surveyed_rated" integer NOT NULL,
	"ratings" integer NOT NULL,
	"rating_sum" integer NOT NULL,
	"r1" integer NOT NULL,
	"r2" integer NOT NULL,
	"r3" integer NOT NULL,
	"r4" integer NOT NULL,
	"r5" integer NOT NULL,
	CONSTRAINT "metrics_ticket_days_site_id_day_locale_pk" PRIMARY KEY("site_id","day","locale")
);
--> statement-breakpoint
DROP INDEX "metrics_tickets_site_escalated_idx";--> statement-breakpoint
ALTER TABLE "metrics_ticket_days" ADD CONSTRAINT "metrics_ticket_days_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "metrics_tickets_site_escalated_idx" ON "metrics_tickets" USING btree ("site_id","escalated_at","locale","first_response_sec","resolution_sec");--> statement-breakpoint
-- The days of the tickets already rolled up (later runs of the rollup keep them).
INSERT INTO "metrics_ticket_days"
SELECT "site_id", ("escalated_at" AT TIME ZONE 'UTC')::date, "locale",
  count(*)::int, count("first_response_sec")::int, count(*) FILTER (WHERE "resolved")::int, coalesce(sum("weight"), 0)::float8,
  count("verified")::int, count(*) FILTER (WHERE "verified")::int, count(*) FILTER (WHERE "resolved" AND "verified" IS NULL)::int,
  count(*) FILTER (WHERE "surveyed")::int, count(*) FILTER (WHERE "surveyed" AND "csat_rating" IS NOT NULL)::int,
  count("csat_rating")::int, coalesce(sum("csat_rating"), 0)::int,
  count(*) FILTER (WHERE "csat_rating" = 1)::int, count(*) FILTER (WHERE "csat_rating" = 2)::int, count(*) FILTER (WHERE "csat_rating" = 3)::int,
  count(*) FILTER (WHERE "csat_rating" = 4)::int, count(*) FILTER (WHERE "csat_rating" = 5)::int
FROM "metrics_tickets" GROUP BY 1, 2, 3;
