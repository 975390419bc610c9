"""Every document schema as a JSON Schema file under docs/schemas/, generated from its model.

One file per schema id, named after it (`putuo.catalog/1` → `putuo.catalog-1.json`): the
catalog's documents (catalog/document.py), every signed sharing step's (sharing/fields.SCHEMAS),
the calendar notice (workdays/notice.py) and the commitment (signer/commitment.py, whose rules
are hand-written code, so its schema is hand-written beside them). The files are committed;
tests/protocol/test_schemas.py fails when one differs from what its model generates.

Regenerate with `python -m protocol.schemas` (`--check` only reports stale files).

`openapi_document(...)` and `openapi_commitment()` give the API's request bodies the same
schemas in their OpenAPI document without changing what they validate.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Annotated, Any, Union

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from catalog.document import CatalogDocument, CollectionRecord, DeletionRequest, ReviewNote
from catalog.quality_documents import MODELS as QUALITY_MODELS
from catalog.responsibility_documents import MODELS as RESPONSIBILITY_MODELS
from sharing.fields import SCHEMAS as SHARING_SCHEMAS
from sharing.supervision_documents import MODELS as SUPERVISION_MODELS
from signer.commitment import JSON_SCHEMA as COMMITMENT_JSON_SCHEMA
from signer.commitment import SCHEMA as COMMITMENT_SCHEMA
from workdays.notice import CalendarNotice

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "docs" / "schemas"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

CATALOG_MODELS: tuple[type[BaseModel], ...] = (CatalogDocument, DeletionRequest, ReviewNote, CollectionRecord)
SHARING_MODELS: tuple[type[BaseModel], ...] = tuple(SHARING_SCHEMAS.values())
MODELS: tuple[type[BaseModel], ...] = (
    *CATALOG_MODELS,
    *RESPONSIBILITY_MODELS,
    *QUALITY_MODELS,
    *SUPERVISION_MODELS,
    *SHARING_MODELS,
    CalendarNotice,
)


def schema_id(model: type[BaseModel]) -> str:
    """The `schema` a document of `model` carries (its `schema_` field's one literal value)."""
    [value] = model.model_fields["schema_"].annotation.__args__
    return value


def file_name(schema: str) -> str:
    """`putuo.catalog/1` → `putuo.catalog-1.json`."""
    return schema.replace("/", "-") + ".json"


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every published schema by schema id: each model's validation-mode JSON Schema, by alias."""
    out = {schema_id(m): {"$schema": DIALECT, **m.model_json_schema(by_alias=True, mode="validation")} for m in MODELS}
    out[COMMITMENT_SCHEMA] = {"$schema": DIALECT, **COMMITMENT_JSON_SCHEMA}
    return dict(sorted(out.items()))


def render(schema: dict[str, Any]) -> str:
    """The file's text: one stable form, so a regenerated file differs only where its model did."""
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def stale(directory: Path = SCHEMA_DIR) -> list[str]:
    """Files that are missing, differ from their model, or have no model (names, sorted)."""
    wanted = {file_name(s): render(v) for s, v in json_schemas().items()}
    present = {p.name for p in directory.glob("*.json")} if directory.exists() else set()
    differing = [n for n, text in wanted.items() if n not in present or (directory / n).read_text("utf-8") != text]
    return sorted(differing + sorted(present - set(wanted)))


def write(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema file, and remove the ones no model generates any more."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted = {file_name(s): render(v) for s, v in json_schemas().items()}
    for extra in {p.name for p in directory.glob("*.json")} - set(wanted):
        (directory / extra).unlink()
    for name, text in wanted.items():
        (directory / name).write_text(text, encoding="utf-8")
    return [directory / n for n in sorted(wanted)]


def _unchanged(value: Any) -> Any:
    return value


def openapi_document(*models: type[BaseModel], description: str | None = None) -> Any:
    """A request body's `document` as the API validates it (any JSON object: the route checks it
    against its schema itself, naming the field in a 422) but shown in the OpenAPI document as
    `models`: a `$ref` to the one, or a `oneOf` discriminated by `schema`."""
    shown: Any = models[0] if len(models) == 1 else Annotated[Union[models], Field(discriminator="schema_")]
    return Annotated[
        dict[str, Any], BeforeValidator(_unchanged, json_schema_input_type=shown), Field(description=description)
    ]


def openapi_commitment(description: str | None = None) -> Any:
    """A commitment document as the API validates it (signer.commitment does, naming the field),
    shown in the OpenAPI document as its published schema."""
    return Annotated[dict[str, Any], WithJsonSchema(COMMITMENT_JSON_SCHEMA), Field(description=description)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m protocol.schemas", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1 if any)")
    parser.add_argument("--dir", type=Path, default=SCHEMA_DIR, help=f"default: {SCHEMA_DIR.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    if args.check:
        names = stale(args.dir)
        for name in names:
            print(f"stale: {args.dir / name}", file=sys.stderr)
        return 1 if names else 0
    for path in write(args.dir):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
