// Steward decision: forgets aliases (an undo removes the alias a merge made).
// Parameters:
//   $ids: list of alias IDs
UNWIND $ids AS id
MATCH (a:Alias {id: id})
DETACH DELETE a
