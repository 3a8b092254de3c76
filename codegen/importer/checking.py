"""Check drafts with codegen.spec_checks's own functions, inside the worker that built them.

The coverage figure must come from the project's checker, but running it over the whole
tree after loading it back costs more than the import itself; each worker checks its
drafts (layered with their overrides the way codegen/load.py layers them) as it goes.
tests/importer/test_whole_docs.py confirms the figure with load_tree/check_tree.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from ..load import SpecFile
from ..spec_checks import format_validator, schema_problems, semantic_problems
from .registry import ImportRegistry


@cache
def _validator() -> Any:  # whatever codegen.spec_checks.format_validator builds, once per process
    return format_validator()


def problems(method_id: str, data: dict[str, Any], registry: ImportRegistry, origin: str) -> list[str]:
    """Format-schema problems, or else semantic ones, for one effective spec."""
    spec = SpecFile(method_id, data, (Path(f"spec/{origin}/{method_id}.yaml"),), origin)
    return schema_problems(spec, _validator()) or semantic_problems(spec, registry.types)
