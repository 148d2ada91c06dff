"""Settings, domain types, errors, languages and normalisation, i18n, progress, provenance, exchange formats. Imports no other package of the project."""
