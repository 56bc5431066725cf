// Skeleton: the distribution of a money trait (total revenue or customer lifetime value) over
// people with at least one order. `neo4j_segment_compiler` replaces the placeholder $value with
// the trait's expression over `p` (fixed fragments, every value a parameter $segN). Buckets
// follow $edges (bucket n holds values from edge n up to edge n + 1; the last is open-ended);
// percentiles are the nearest rank.
// Parameters:
//   $value: placeholder for the compiled trait expression
//   $edges: ascending lower edges of the histogram's buckets
//   $percentiles: list of whole percentiles
// Returns: count, total, minimum, maximum, buckets (list of [count, sum] per edge),
//   percentiles (list of [percentile, value])
MATCH (p:Profile)
WHERE NOT p.junk AND p.act_orders > 0
WITH $value AS v
WITH v, size([edge IN tail($edges) WHERE v >= edge]) AS bucket
ORDER BY v
WITH collect(v) AS values, collect(bucket) AS buckets
WITH values, buckets, size(values) AS n
RETURN n AS count,
       reduce(total = 0.0, v IN values | total + v) AS total,
       values[0] AS minimum,
       values[n - 1] AS maximum,
       [b IN range(0, size($edges) - 1) |
         [size([x IN buckets WHERE x = b]),
          reduce(s = 0.0, i IN range(0, n - 1) | CASE WHEN buckets[i] = b THEN s + values[i] ELSE s END)]]
         AS buckets,
       [pct IN $percentiles |
         [pct, values[CASE
           WHEN (pct * n + 99) / 100 - 1 < 0 THEN 0
           WHEN (pct * n + 99) / 100 - 1 > n - 1 THEN n - 1
           ELSE (pct * n + 99) / 100 - 1
         END]]] AS percentiles
