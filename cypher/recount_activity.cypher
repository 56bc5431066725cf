// Recounts the activity aggregates of profiles from the :KeyActivity of their identifiers, with
// the order types and event scores of the :TraitSettings node: act_events, act_orders,
// act_revenue_cents (orders only), act_engagement_milli, act_first_at, act_last_at, and the
// parallel lists act_types / act_type_events. A profile without activity has none of them.
// Revenue is summed as floats (an integer sum fails past 64 bits) and kept as an integer
// below them (exact to 2^53 cents), as SQLite's total() does.
// Parameters:
//   $ids: list of profile IDs to recount
//   $keys: list of identifier keys whose profiles to recount as well
CALL () {
  UNWIND $ids AS id
  MATCH (p:Profile {id: id})
  RETURN p
  UNION
  UNWIND $keys AS key
  MATCH (:Identifier {key: key})-[:IN]->(p:Profile)
  RETURN p
}
MATCH (s:TraitSettings {name: 'current'})
CALL (p, s) {
  MATCH (p)<-[:IN]-(i:Identifier)
  MATCH (a:KeyActivity {key: i.key})
  WITH s, a.type AS type, sum(a.events) AS events, sum(toFloat(a.revenue_cents)) AS cents,
       min(a.first_at) AS first_at, max(a.last_at) AS last_at
  WITH type, events, cents, first_at, last_at,
       CASE WHEN type IN s.order_types THEN 1 ELSE 0 END AS is_order,
       reduce(score = s.default_milli, n IN range(0, size(s.score_types) - 1) |
         CASE WHEN s.score_types[n] = type THEN s.score_milli[n] ELSE score END) AS score
  RETURN sum(events) AS events, sum(is_order * events) AS orders,
         sum(is_order * cents) AS cents, sum(events * score) AS milli,
         min(first_at) AS first_at, max(last_at) AS last_at,
         collect(type) AS types, collect(events) AS type_events
}
SET p.act_events = CASE WHEN events > 0 THEN events END,
    p.act_orders = CASE WHEN events > 0 THEN orders END,
    p.act_revenue_cents = CASE
      WHEN events > 0 AND abs(cents) < 9.0e18 THEN toInteger(cents)
      WHEN events > 0 THEN cents
    END,
    p.act_engagement_milli = CASE WHEN events > 0 THEN milli END,
    p.act_first_at = first_at,
    p.act_last_at = last_at,
    p.act_types = CASE WHEN events > 0 THEN types END,
    p.act_type_events = CASE WHEN events > 0 THEN type_events END
