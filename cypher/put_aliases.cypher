// Merges, step 3: each absorbed profile ID becomes an :Alias OF the final survivor (replacing
// whatever it pointed at before).
// Parameters:
//   $moves: list of {absorbed, survivor}, survivor being the final one
UNWIND $moves AS move
MERGE (survivor:Profile {id: move.survivor})
MERGE (alias:Alias {id: move.absorbed})
WITH alias, survivor
OPTIONAL MATCH (alias)-[old:OF]->()
DELETE old
CREATE (alias)-[:OF]->(survivor)
