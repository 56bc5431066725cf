// Merges, step 1: every identifier IN an absorbed profile moves to the profile that survives
// the whole batch (so the order of the moves does not matter).
// Parameters:
//   $moves: list of {absorbed, survivor}, survivor being the final one
UNWIND $moves AS move
MATCH (absorbed:Profile {id: move.absorbed})
MERGE (survivor:Profile {id: move.survivor})
WITH absorbed, survivor
MATCH (i:Identifier)-[old:IN]->(absorbed)
DELETE old
CREATE (i)-[:IN]->(survivor)
