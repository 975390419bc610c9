"""The catalog domain: the Art. 11 document and how its text is searched."""
