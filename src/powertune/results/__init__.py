"""The tuning result: its typed form, its JSON form and schema, the builder and the reader.

Files themselves are read and written by `powertune.storage.results`.
"""

from powertune.results.build import build_result, reanalyzed, result_from_run
from powertune.results.json_form import record_to_json, to_json
from powertune.results.model import SCHEMA_VERSION, TuningResult
from powertune.results.reader import parse_result
from powertune.results.schema import schema, validate_document

__all__ = [
    "SCHEMA_VERSION",
    "TuningResult",
    "build_result",
    "parse_result",
    "reanalyzed",
    "record_to_json",
    "result_from_run",
    "schema",
    "to_json",
    "validate_document",
]
