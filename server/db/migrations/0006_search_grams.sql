-- The pairs of adjacent characters of a text, lower-cased, for substring search in any language:
-- a GIN index over them finds the rows holding every pair of a query ("退款" in "申请退款",
-- "fun" in "refund"), and a strpos() check on those rows confirms the match. Trigrams (pg_trgm)
-- cannot serve a two-character query, and most Chinese words are two characters.
-- Whitespace is folded and pairs that hold it are left out: they would only make the index larger.
CREATE OR REPLACE FUNCTION search_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (SELECT regexp_replace(lower(t), '\s+', ' ', 'g') AS s) n,
       LATERAL (SELECT substr(n.s, i, 2) AS g FROM generate_series(1, char_length(n.s) - 1) AS i) b
  WHERE position(' ' IN g) = 0
$$;
