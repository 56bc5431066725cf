// Merges, step 2: aliases OF an absorbed profile now point at the final survivor, so alias
// chains never grow and an old ID resolves with one hop.
// Parameters:
//   $moves: list of {absorbed, survivor}, survivor being the final one
UNWIND $moves AS move
MATCH (alias:Alias)-[old:OF]->(:Profile {id: move.absorbed})
MERGE (survivor:Profile {id: move.survivor})
DELETE old
CREATE (alias)-[:OF]->(survivor)
