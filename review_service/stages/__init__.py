"""The AI drafts: pre-checks, duplicates, themes, matching, notes. Pure functions over the domain types; never imports the contest, the faces or the commands."""
