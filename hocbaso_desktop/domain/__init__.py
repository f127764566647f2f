"""Pure-Python domain: TT27 rules as data + functions, identity codes, typed errors (stdlib only)."""
