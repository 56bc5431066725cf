// Constraint: one :TraitSettings node per name (there is one, 'current').
// Parameters: none
CREATE CONSTRAINT trait_settings_name IF NOT EXISTS
FOR (s:TraitSettings) REQUIRE s.name IS UNIQUE
