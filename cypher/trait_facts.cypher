// What traits are computed from, per profile: its times, attribute and identifier-type JSON and
// the activity aggregates (null when it has no credited events).
// Parameters:
//   $ids: list of current profile IDs
// Returns: id, created_at, updated_at, attributes (JSON), type_counts (JSON), events, orders,
//   revenue_cents, engagement_milli, first_at, last_at, types, type_events
UNWIND $ids AS id
MATCH (p:Profile {id: id})
RETURN p.id AS id, p.created_at AS created_at, p.updated_at AS updated_at,
       p.attributes AS attributes, p.type_counts AS type_counts,
       p.act_events AS events, p.act_orders AS orders, p.act_revenue_cents AS revenue_cents,
       p.act_engagement_milli AS engagement_milli, p.act_first_at AS first_at,
       p.act_last_at AS last_at, p.act_types AS types, p.act_type_events AS type_events
