CREATE TABLE "metrics_entry_days" (
	"site_id" text NOT NULL,
	"day" date NOT NULL,
	"locale" text NOT NULL,
	"entry_id" uuid NOT NULL,
	"answered" integer NOT NULL,
	"solved" integer NOT NULL,
	"escalated" integer NOT NULL,
	CONSTRAINT "metrics_entry_days_site_id_day_locale_entry_id_pk" PRIMARY KEY("site_id","day","locale","entry_id")
);
--> statement-breakpoint
CREATE TABLE "metrics_page_days" (
	"site_id" text NOT NULL,
	"day" date NOT NULL,
	"locale" text NOT NULL,
	"page" text NOT NULL,
	"questions" integer NOT NULL,
	"answered" integer NOT NULL,
	"solved" integer NOT NULL,
	"escalated" integer NOT NULL,
	"deflected" integer NOT NULL,
	"met" integer NOT NULL,
	CONSTRAINT "metrics_page_days_site_id_day_locale_page_pk" PRIMARY KEY("site_id","day","locale","page")
);
--> statement-breakpoint
CREATE TABLE "metrics_question_days" (
	"site_id" text NOT NULL,
	"day" date NOT NULL,
	"locale" text NOT NULL,
	"questions" integer NOT NULL,
	"answered" integer NOT NULL,
	"solved" integer NOT NULL,
	"escalated" integer NOT NULL,
	"deflected" integer NOT NULL,
	"met" integer NOT NULL,
	CONSTRAINT "metrics_question_days_site_id_day_locale_pk" PRIMARY KEY("site_id","day","locale")
);
--> statement-breakpoint
CREATE TABLE "metrics_tickets" (
	"conversation_id" uuid PRIMARY KEY NOT NULL,
	"site_id" text NOT NULL,
	"escalated_at" timestamp with time zone NOT NULL,
	"locale" text NOT NULL,
	"page" text NOT NULL,
	"agent_id" uuid,
	"first_response_sec" double precision,
	"resolution_sec" double precision,
	"resolved" boolean NOT NULL,
	"weight" double precision NOT NULL,
	"verified" boolean,
	"surveyed" boolean NOT NULL,
	"csat_rating" integer
);
--> statement-breakpoint
CREATE TABLE "metrics_visitor_days" (
	"visitor_id" uuid NOT NULL,
	"day" date NOT NULL,
	"site_id" text NOT NULL,
	"locale" text NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"prev_last_at" timestamp with time zone,
	"prev2_last_at" timestamp with time zone,
	CONSTRAINT "metrics_visitor_days_visitor_id_day_pk" PRIMARY KEY("visitor_id","day")
);
--> statement-breakpoint
ALTER TABLE "metrics_entry_days" ADD CONSTRAINT "metrics_entry_days_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_entry_days" ADD CONSTRAINT "metrics_entry_days_entry_id_faq_entries_id_fk" FOREIGN KEY ("entry_id") REFERENCES "public"."faq_entries"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_page_days" ADD CONSTRAINT "metrics_page_days_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_question_days" ADD CONSTRAINT "metrics_question_days_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_tickets" ADD CONSTRAINT "metrics_tickets_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_tickets" ADD CONSTRAINT "metrics_tickets_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "metrics_visitor_days" ADD CONSTRAINT "metrics_visitor_days_visitor_id_visitors_id_fk" FOREIGN KEY ("visitor_id") REFERENCES "public"."visitors"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "metrics_tickets_site_escalated_idx" ON "metrics_tickets" USING btree ("site_id","escalated_at");--> statement-breakpoint
CREATE INDEX "metrics_visitor_days_site_day_idx" ON "metrics_visitor_days" USING btree ("site_id","day","last_at","first_at","prev_last_at","prev2_last_at","locale");--> statement-breakpoint
CREATE INDEX "conversations_updated_idx" ON "conversations" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "questions_conversation_idx" ON "questions" USING btree ("conversation_id");