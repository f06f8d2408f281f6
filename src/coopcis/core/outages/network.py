"""The distribution network as a tree: transmission source → substation → feeder →
protective devices (breaker, recloser, fuse; they nest) → transformer → service point.

Loaded from a CSV export of the co-op's GIS, one row per device, with a header naming
the columns:

| column | meaning |
|---|---|
| ``device_id`` | the device's code, unique in the file (1-40 letters, digits, ``-_.``) |
| ``kind`` | ``source``, ``substation``, ``feeder``, ``breaker``, ``recloser``, ``fuse`` or ``transformer`` |
| ``parent_id`` | the device it hangs from: empty for a source only |
| ``name`` | optional: a name shown to staff |
| ``latitude``, ``longitude`` | optional: decimal degrees (WGS 84) |

Service points are not rows of the file: each hangs from the transformer its premises
record names (``ServicePoint.transformer``). The file is taken whole or not at all: every
bad row is reported with its line number.

Traces are array walks: every node gets its preorder position, so a device's downstream
is one contiguous slice of the preorder and upstream is a walk of parent indices (the tree
is at most a dozen deep).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import numpy as np
import numpy.typing as npt

SOURCE = "source"
SUBSTATION = "substation"
FEEDER = "feeder"
BREAKER = "breaker"
RECLOSER = "recloser"
FUSE = "fuse"
TRANSFORMER = "transformer"
SERVICE_POINT = "service_point"

PROTECTIVE = frozenset({BREAKER, RECLOSER, FUSE})
DEVICE_KINDS = (SOURCE, SUBSTATION, FEEDER, BREAKER, RECLOSER, FUSE, TRANSFORMER)

#: The kinds each kind may hang from.
ALLOWED_PARENTS: Mapping[str, frozenset[str]] = {
    SOURCE: frozenset(),
    SUBSTATION: frozenset({SOURCE}),
    FEEDER: frozenset({SUBSTATION}),
    BREAKER: frozenset({FEEDER} | PROTECTIVE),
    RECLOSER: frozenset({FEEDER} | PROTECTIVE),
    FUSE: frozenset({FEEDER} | PROTECTIVE),
    TRANSFORMER: frozenset({FEEDER} | PROTECTIVE),
    SERVICE_POINT: frozenset({TRANSFORMER}),
}

REQUIRED = ("device_id", "kind", "parent_id")
OPTIONAL = ("name", "latitude", "longitude")

_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,40}$")


@dataclass(frozen=True)
class Device:
    code: str
    kind: str
    parent: str | None
    name: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    line: int = 0  # its line in the GIS file, if it came from one


class NetworkFileError(ValueError):
    """The file cannot be read as a network; ``problems`` lists each bad line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _coordinate(text: str, limit: int, column: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{column} {text!r} is not a number") from None
    if not value.is_finite() or not -limit <= value <= limit:
        raise ValueError(f"{column} {text} is outside -{limit} to {limit}")
    return value


def parse_network(lines: Iterable[str]) -> list[Device]:
    """Read a GIS export; raise :class:`NetworkFileError` naming every bad line."""
    reader = csv.reader(lines)
    header = [cell.strip().lower() for cell in next(reader, [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise NetworkFileError([f"line 1: missing column(s) {', '.join(missing)}"])
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise NetworkFileError([f"line 1: unknown column(s) {', '.join(unknown)}"])
    position = {column: header.index(column) for column in header}
    problems: list[str] = []
    devices: list[Device] = []
    lines_of: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"line {line}: {len(cells)} cells, the header has {len(header)}")
            continue
        row = {column: cells[index].strip() for column, index in position.items()}
        code, kind, parent = row["device_id"], row["kind"].lower(), row["parent_id"]
        try:
            if not _CODE.match(code):
                raise ValueError(f"device_id {code!r} is not 1-40 letters, digits, - _ .")
            if code in lines_of:
                raise ValueError(f"device_id {code} repeats line {lines_of[code]}")
            if kind not in DEVICE_KINDS:
                raise ValueError(f"kind {kind!r} is not one of {', '.join(DEVICE_KINDS)}")
            if kind == SOURCE and parent:
                raise ValueError("a source has no parent_id")
            if kind != SOURCE and not parent:
                raise ValueError(f"a {kind} needs a parent_id")
            latitude = longitude = None
            if row.get("latitude") or row.get("longitude"):
                if not (row.get("latitude") and row.get("longitude")):
                    raise ValueError("latitude and longitude come together")
                latitude = _coordinate(row["latitude"], 90, "latitude")
                longitude = _coordinate(row["longitude"], 180, "longitude")
        except ValueError as error:
            problems.append(f"line {line}: {error}")
            continue
        lines_of[code] = line
        devices.append(
            Device(code, kind, parent or None, row.get("name", "")[:120], latitude, longitude, line)
        )
    kinds = {device.code: device.kind for device in devices}
    for device in devices:
        if device.parent is None:
            continue
        parent_kind = kinds.get(device.parent)
        line = lines_of[device.code]
        if parent_kind is None:
            problems.append(f"line {line}: parent_id {device.parent} is not in the file")
        elif parent_kind not in ALLOWED_PARENTS[device.kind]:
            problems.append(
                f"line {line}: a {device.kind} cannot hang from {device.parent} ({parent_kind})"
            )
    if not problems:
        parents = {d.code: d.parent for d in devices}
        for device in devices:
            seen = {device.code}
            up = device.parent
            while up is not None:
                if up in seen:
                    problems.append(f"line {lines_of[device.code]}: {device.code} is in a loop")
                    break
                seen.add(up)
                up = parents[up]
    if not devices and not problems:
        problems.append("the file has no devices")
    if problems:
        raise NetworkFileError(problems)
    return devices


class Network:
    """The tree over devices and service points, with array-backed traces."""

    def __init__(self, devices: Sequence[Device], service_points: Mapping[str, str]) -> None:
        """``service_points`` maps each service point's code to its transformer's code;
        those whose transformer is not in ``devices`` are left out (see ``orphans``)."""
        codes = [d.code for d in devices]
        kinds = [d.kind for d in devices]
        parent_codes: list[str | None] = [d.parent for d in devices]
        known = {d.code: d.kind for d in devices}
        self.orphans = sorted(sp for sp, t in service_points.items() if known.get(t) != TRANSFORMER)
        for sp, transformer in sorted(service_points.items()):
            if known.get(transformer) == TRANSFORMER:
                codes.append(sp)
                kinds.append(SERVICE_POINT)
                parent_codes.append(transformer)
        self.codes: list[str] = codes
        self.kinds: list[str] = kinds
        self.index: dict[str, int] = {code: i for i, code in enumerate(codes)}
        if len(self.index) != len(codes):
            raise ValueError("a service point code repeats a device code")
        size = len(codes)
        parent = np.full(size, -1, dtype=np.int64)
        children: list[list[int]] = [[] for _ in range(size)]
        for i, up in enumerate(parent_codes):
            if up is not None:
                parent[i] = self.index[up]
                children[self.index[up]].append(i)
        self.parent: npt.NDArray[np.int64] = parent
        self._children = children
        # Preorder positions: a node's subtree is preorder[tin[i]:tout[i]].
        tin = np.zeros(size, dtype=np.int64)
        tout = np.zeros(size, dtype=np.int64)
        preorder = np.zeros(size, dtype=np.int64)
        depth = np.zeros(size, dtype=np.int64)
        clock = 0
        for root in (i for i in range(size) if parent[i] < 0):
            stack: list[tuple[int, bool]] = [(root, False)]
            while stack:
                node, done = stack.pop()
                if done:
                    tout[node] = clock
                    continue
                tin[node] = clock
                preorder[clock] = node
                clock += 1
                stack.append((node, True))
                for child in reversed(children[node]):
                    depth[child] = depth[node] + 1
                    stack.append((child, False))
        self.tin, self.tout, self.preorder, self.depth = tin, tout, preorder, depth
        is_sp = np.array([k == SERVICE_POINT for k in kinds], dtype=bool)
        self._sp_in_preorder = is_sp[preorder]
        # Service points below each node: a prefix sum over the preorder.
        self._sp_prefix = np.concatenate(([0], np.cumsum(self._sp_in_preorder)))

    def __contains__(self, code: object) -> bool:
        return code in self.index

    def kind(self, code: str) -> str:
        return self.kinds[self.index[code]]

    def parent_of(self, code: str) -> str | None:
        up = int(self.parent[self.index[code]])
        return None if up < 0 else self.codes[up]

    def children(self, code: str) -> list[str]:
        """The nodes directly below ``code``."""
        return [self.codes[i] for i in self._children[self.index[code]]]

    def upstream(self, code: str) -> list[str]:
        """The node itself and every node above it, nearest first, to its source."""
        path: list[str] = []
        i = self.index[code]
        while i >= 0:
            path.append(self.codes[i])
            i = int(self.parent[i])
        return path

    def _slice(self, code: str) -> tuple[int, int]:
        i = self.index[code]
        return int(self.tin[i]), int(self.tout[i])

    def downstream(self, code: str) -> list[str]:
        """Every node below ``code`` (itself included), in preorder."""
        start, end = self._slice(code)
        return [self.codes[i] for i in self.preorder[start:end]]

    def downstream_service_points(self, code: str) -> list[str]:
        start, end = self._slice(code)
        nodes = self.preorder[start:end][self._sp_in_preorder[start:end]]
        return [self.codes[i] for i in nodes]

    def service_point_count(self, code: str) -> int:
        start, end = self._slice(code)
        return int(self._sp_prefix[end] - self._sp_prefix[start])

    def is_below(self, code: str, ancestor: str) -> bool:
        """Whether ``code`` is ``ancestor`` or under it: two comparisons."""
        i, a = self.index[code], self.index[ancestor]
        return bool(self.tin[a] <= self.tin[i] < self.tout[a])

    def lowest_common_upstream(self, codes: Iterable[str]) -> str | None:
        """The lowest node every one of ``codes`` is under; None if they share no source."""
        found: int | None = None
        for code in codes:
            i = self.index[code]
            if found is None:
                found = i
                continue
            a = found
            while a >= 0 and not (self.tin[a] <= self.tin[i] < self.tout[a]):
                a = int(self.parent[a])
            if a < 0:
                return None
            found = a
        return None if found is None else self.codes[found]
