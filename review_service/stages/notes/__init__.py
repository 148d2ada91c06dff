"""Draft notes for jurors: drafting, phrases, support checks, the note's sentences as shown."""
