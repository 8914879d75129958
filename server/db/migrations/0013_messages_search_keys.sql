-- Messages are found by keys the server computes when it stores them (server/search/search-keys.ts:
-- their pairs of characters as integers), no longer by an index on search_grams(body), which
-- PostgreSQL computed in PL/pgSQL for every stored message and kept as text keys: about 48 of the
-- 105 µs that storing a message cost the database (bench:store-cost, 2026-12-07).
--
-- search_keys(text) is search-keys.ts's definition in PL/pgSQL, for the messages stored before this
-- migration, and for messages the benchmarks generate in SQL (test/integration/search-keys.test.ts
-- holds the two to each other). The server never calls it. Distinct keys in the order first seen, as
-- the server's.
CREATE OR REPLACE FUNCTION search_keys(t text) RETURNS int4[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  c text[] := regexp_split_to_array(t, '');
  -- search-keys.ts SPACES: JavaScript's \s, whatever the locale.
  spaces text := E'\t\n\u000b\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff';
  keys int4[] := '{}';
  prev int8 := -1;
  cur int8;
  k int8;
BEGIN
  FOR i IN 1 .. coalesce(array_length(c, 1), 0) LOOP
    IF strpos(spaces, c[i]) > 0 THEN
      prev := -1;
      CONTINUE;
    END IF;
    cur := ascii(lower(c[i]));
    IF prev >= 0 THEN
      IF prev <= 65535 AND cur <= 65535 THEN
        k := (prev << 16) | cur;
      ELSE
        -- FNV-1a over (prev, 0, cur).
        k := ((2166136261 # prev) * 16777619) % 4294967296;
        k := (k * 16777619) % 4294967296;
        k := ((k # cur) * 16777619) % 4294967296;
      END IF;
      IF k >= 2147483648 THEN
        k := k - 4294967296;
      END IF;
      keys := keys || k::int4;
    END IF;
    prev := cur;
  END LOOP;
  RETURN ARRAY(SELECT u.k FROM unnest(keys) WITH ORDINALITY u(k, n) GROUP BY u.k ORDER BY min(u.n));
END
$$;--> statement-breakpoint
DROP INDEX "messages_search_idx";--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "search_keys" integer[];--> statement-breakpoint
UPDATE "messages" SET "search_keys" = search_keys("body");--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "search_keys" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search_keys") WITH (gin_pending_list_limit=256);
