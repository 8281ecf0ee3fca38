"""Hostile XML: entity expansion and external entities are refused with their reason, nothing outside the file is
read, caps hold, and a file refused is quarantined alone while the run goes on."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest

from fitbalance.config import Athlete
from fitbalance.errors import DecodeError, LimitExceeded, TimeCapExceeded, UnknownFormatError
from fitbalance.models import FileStatus, SourceRef, WorkItem
from fitbalance.process import process_batch
from fitbalance.sources import decode_bytes
from fitbalance.sources.xml import EntityRefused, Handlers, parse

LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE {root} [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n<{root}>&lol9;</{root}>\n"
)
ROOTS = ("HealthData", "TrainingCenterDatabase", "gpx", "lolz")


@pytest.mark.parametrize("root", ROOTS)
def test_billion_laughs_is_refused_before_anything_expands(root: str) -> None:
    """Whatever its root claims to be, a document declaring entities is refused, naming the entity."""
    with pytest.raises(EntityRefused, match=r"declares an entity 'lol'.*never expanded"):
        decode_bytes(LAUGHS.format(root=root).encode(), f"x.{root}.xml")


def test_an_external_entity_is_refused_and_the_file_it_names_is_not_read(tmp_path: Path) -> None:
    """``<!ENTITY x SYSTEM "file:///...">``: refused, naming what it points at; the file is never opened."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<gpx version="1.1"><trk><name>&x;</name></trk></gpx>\n'
    ).encode()
    with pytest.raises(EntityRefused, match="external entity 'x'") as caught:
        decode_bytes(data, "evil.gpx")
    assert "TOP SECRET" not in str(caught.value)


def test_a_parameter_entity_is_refused() -> None:
    """Parameter entities (the way external DTDs are pulled in) are refused as well."""
    data = b'<?xml version="1.0"?>\n<!DOCTYPE gpx [<!ENTITY % p SYSTEM "http://example.org/x.dtd"> %p;]>\n<gpx/>\n'
    with pytest.raises(EntityRefused, match="'%p'"):
        decode_bytes(data, "p.gpx")


def test_apples_internal_dtd_without_entities_is_read() -> None:
    """ELEMENT and ATTLIST declarations (what Apple's export.xml carries) are not entities: the file is read."""
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE HealthData [\n<!ELEMENT HealthData ANY>\n'
        b'<!ATTLIST HealthData locale CDATA #REQUIRED>\n]>\n<HealthData locale="en"></HealthData>\n'
    )
    assert decode_bytes(data, "export.xml").file_type == "no_activities"


def test_xml_that_is_not_well_formed_names_its_line() -> None:
    """A GPX cut off in the middle of a tag is refused with the line and column."""
    with pytest.raises(DecodeError, match=r"not well-formed XML at line 3, column \d+"):
        decode_bytes(b'<?xml version="1.0"?>\n<gpx version="1.1">\n<trk><name>x</na', "cut.gpx")


def test_an_unknown_xml_document_is_named_by_its_root() -> None:
    """Any other XML is refused as XML (not read as CSV), naming its root element and the readers tried."""
    with pytest.raises(UnknownFormatError, match=r"root element <kml>.*Apple Health"):
        decode_bytes(b'<?xml version="1.0"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document/></kml>\n', "a.xml")


def test_the_byte_and_time_caps_stop_a_stream() -> None:
    """A stream longer than its byte cap, or parsed for longer than its time cap, is refused naming the cap."""
    data = b"<gpx>" + b"<wpt lat='1' lon='2'/>" * 100_000 + b"</gpx>"
    with pytest.raises(LimitExceeded, match="GiB cap"):
        parse(io.BytesIO(data), "big.gpx", Handlers(), max_bytes=1024**2)
    ticks = iter(range(0, 10_000, 100))
    with pytest.raises(TimeCapExceeded, match="50 s cap"):
        parse(io.BytesIO(data), "slow.gpx", Handlers(), max_seconds=50, clock=lambda: float(next(ticks)))


def test_a_hostile_file_is_quarantined_and_the_others_load(tmp_path: Path) -> None:
    """In one batch, the billion-laughs file is quarantined with its reason and the good GPX beside it loads."""
    evil = tmp_path / "evil.gpx"
    evil.write_text(LAUGHS.format(root="gpx"))
    good = tmp_path / "good.gpx"
    good.write_text(
        '<?xml version="1.0"?>\n<gpx version="1.1"><trk><type>running</type><trkseg>'
        '<trkpt lat="47" lon="8"><time>2024-05-01T17:00:00Z</time></trkpt>'
        '<trkpt lat="47" lon="8.05"><time>2024-05-01T17:20:00Z</time></trkpt></trkseg></trk></gpx>\n'
    )
    items = [WorkItem(SourceRef(str(p), str(p), p.stat().st_size), p.name) for p in (evil, good)]
    result = process_batch(items, athlete=Athlete(name="me"), as_of=datetime(2026, 1, 1))
    bad, fine = result.outcomes
    assert bad.status is FileStatus.QUARANTINED and "declares an entity" in bad.reason and not bad.retryable
    assert fine.status is FileStatus.LOADED and fine.activities == 1
