"""ddblint's rules, one module per rule; shipped as the import package `ddblint.rules`."""
