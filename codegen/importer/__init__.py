"""Docs importer: turn the Bitrix24 docs checkout (YFM pages) into draft method specs.

`python -m codegen.importer --docs ../shared/b24restdocs --out spec` writes spec/imported/,
spec/imported-types.yaml and the reports; curated files (spec/methods/, spec/overrides/)
are only read, never written.
"""
