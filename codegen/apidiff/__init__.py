"""Semantic diff of the API between two spec trees, for reviewing docs updates.

`compare` finds the changes, `rules` says which break a caller of the generated client,
`report` renders them for a pull request or a tool, `changelog` drafts CHANGELOG.md sections,
`sources` reads spec folders and git revisions, `cli` is `python -m codegen diff|changelog`.
"""
