"""Pure types and rules of the identity domain; no I/O library is imported here."""
