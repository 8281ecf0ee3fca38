"""Any other XML document: refused with its root element named, after its entities are refused.

The last XML reader in :data:`fitbalance.sources.formats.READERS`. It parses the document with the same guards as
the others (:func:`fitbalance.sources.xml.parse`): a document that declares an entity (billion laughs, an
external entity) is refused for that, with that reason; any other is an unknown export, named by its root element,
never read as CSV text.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from fitbalance.errors import UnknownFormatError
from fitbalance.models import Decoded
from fitbalance.sources.reading import HEAD_BYTES, ReadOptions
from fitbalance.sources.xml import Handlers, looks_like_xml, parse, root_element

NAME = "xml"
KNOWN = "Apple Health export.xml, TCX, GPX"


def detect(head: bytes, path: str) -> bool:
    return looks_like_xml(head)


def read(data: bytes, path: str, options: ReadOptions) -> Decoded:
    return read_stream(io.BytesIO(data), path, options)


class _Root(Handlers):
    def start(self, name: str, attrs: dict[str, str]) -> None:
        raise _Found(name)


class _Found(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def read_stream(stream: BinaryIO, path: str, options: ReadOptions) -> Decoded:
    head = stream.read(HEAD_BYTES)
    root = root_element(head)
    try:  # the prolog (and its DTD) is parsed: a declared entity is refused before anything else is said
        parse(io.BytesIO(head), path, _Root())
    except _Found as found:
        root = found.name
    raise UnknownFormatError(
        f"XML document with root element <{root or '?'}> matches no known export (tried: {KNOWN})",
        path=path,
        stage="decode",
    )
