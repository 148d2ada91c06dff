"""Building blocks of duplicate detection: shingles/MinHash (lexical) and margin-scored alignment (semantic)."""
