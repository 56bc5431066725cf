// Constraint: one rejection per position; the ordered index that pages rejections.
// Parameters: none
CREATE CONSTRAINT rejection_seq IF NOT EXISTS
FOR (r:Rejection) REQUIRE r.seq IS UNIQUE
