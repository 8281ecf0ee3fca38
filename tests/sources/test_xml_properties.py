"""Mutated XML exports fed to the readers: only fitbalance's own :class:`InputError` subclasses come out, never a
crash of ours. Seeds are small documents in the shape of each export (hand-written here, nobody's data)."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fitbalance.errors import InputError
from fitbalance.sources import decode_bytes
from tests.conftest import examples

FUZZ = settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEEDS = [
    b'<?xml version="1.0"?>\n<HealthData locale="en"><Record type="HKQuantityTypeIdentifierHeartRate" '
    b'startDate="2024-03-01 07:00:10 +0000" endDate="2024-03-01 07:00:10 +0000" value="120"/>'
    b'<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="10" durationUnit="min" '
    b'totalDistance="2" totalDistanceUnit="km" sourceName="Apple Watch" startDate="2024-03-01 07:00:00 +0000" '
    b'endDate="2024-03-01 07:10:00 +0000"><WorkoutEvent type="HKWorkoutEventTypePause" '
    b'date="2024-03-01 07:05:00 +0000"/><WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" '
    b'sum="2.1" unit="km"/></Workout></HealthData>\n',
    b'<?xml version="1.0"?>\n<TrainingCenterDatabase><Activities><Activity Sport="Running">'
    b'<Id>2024-01-05T17:00:00Z</Id><Lap StartTime="2024-01-05T17:00:00Z"><TotalTimeSeconds>600</TotalTimeSeconds>'
    b"<DistanceMeters>2000</DistanceMeters><Track><Trackpoint><Time>2024-01-05T17:00:00Z</Time>"
    b"<HeartRateBpm><Value>120</Value></HeartRateBpm></Trackpoint><Trackpoint><Time>2024-01-05T17:10:00Z</Time>"
    b"<DistanceMeters>2000</DistanceMeters></Trackpoint></Track></Lap></Activity></Activities>"
    b"</TrainingCenterDatabase>\n",
    b'<?xml version="1.0"?>\n<gpx version="1.1"><trk><name>Run</name><type>9</type><trkseg>'
    b'<trkpt lat="47" lon="8"><ele>400</ele><time>2024-05-01T17:00:00Z</time><extensions><hr>130</hr></extensions>'
    b'</trkpt><trkpt lat="47" lon="8.05"><time>2024-05-01T17:20:00Z</time></trkpt></trkseg></trk></gpx>\n',
]
DIGITS = st.sampled_from([b"0", b"9", b"-1", b"1e999", b"1e300", b"nan", b"", b"99999999", b"2100-01-01"])


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.integers(0, 2))
        at = draw(st.integers(0, len(data)))
        if kind == 0:  # a number or time replaced by something odd
            digits = [i for i, b in enumerate(data) if chr(b).isdigit()]
            if digits:
                start = draw(st.sampled_from(digits))
                end = start
                while end < len(data) and chr(data[end]).isdigit():
                    end += 1
                data[start:end] = draw(DIGITS)
        elif kind == 1:  # a cut
            del data[at:]
        else:  # a random byte
            data[at:at] = bytes([draw(st.integers(0, 255))])
    return bytes(data)


@FUZZ
@given(mutated())
def test_only_our_errors_come_out_of_mutated_xml(data: bytes) -> None:
    """Whatever the mutation, a reader returns or raises an InputError (quarantined with its reason)."""
    with contextlib.suppress(InputError):
        decode_bytes(data, "fuzzed.xml")
