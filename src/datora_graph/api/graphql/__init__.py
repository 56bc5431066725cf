"""GraphQL at `/graphql`: profiles, journeys, segments, traits, consent, insights and the review
queue, with GraphiQL in a browser.

`graphql_router()` is mounted by `api.app.create_app`; `schema` is the Strawberry schema and
`sdl()` its text, committed as `schema.graphql`.
"""

from datora_graph.api.graphql.schema import graphql_router, schema, sdl

__all__ = ["graphql_router", "schema", "sdl"]
