"""Helpers for describing the JSON APIs in the OpenAPI document (``/api/schema``)."""

from __future__ import annotations

import json
from typing import Any

from ninja import Schema
from pydantic import BaseModel


def json_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` for an operation whose JSON body ``model`` describes.

    The views read their bodies themselves (so that malformed JSON, a body nested too
    deeply and every bad field get the API's own field-named 400), so django-ninja does not
    see a body parameter; this puts the model's JSON Schema, made by pydantic, in the
    document in its place."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inlined(model.model_json_schema())}},
        }
    }


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with its ``$defs`` put in place of their ``$ref``s (the body models nest
    without cycles), so the document needs no definitions local to a request body."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return resolve(definitions[reference.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    return resolve(schema)  # type: ignore[no-any-return]


class ErrorOut(Schema):
    """A refusal of the request as a whole (401, 402, 403, 404, 409, 429, 504)."""

    error: str


class FieldErrorsOut(Schema):
    """Bad input: messages by field (``__all__`` for the body as a whole)."""

    errors: dict[str, list[str]]


class BodyError(ValueError):
    """A request body that is not one JSON object of valid Unicode text."""


def read_json_object(raw: bytes, *, empty: str = "") -> dict[str, Any]:
    """The body as a JSON object, or :class:`BodyError` saying why not in a sentence.

    Refused: malformed JSON, anything but an object, nesting deep enough to exhaust the
    parser's recursion (``[`` 100,000 times), and text with lone surrogates (``"\\udb23"``
    is valid JSON but no database can store it)."""
    try:
        body = json.loads(raw or empty)
    except RecursionError:
        raise BodyError("the body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise BodyError("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BodyError("the body must be a JSON object")
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BodyError("the body has text that is not valid Unicode") from None
    return body
