"""The generator: spec/ YAML in, the b24client package and its per-method tests out."""
