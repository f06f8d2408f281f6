"""The network from a GIS export: all or nothing, bad rows by line, traces by command."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from coopcis.apps.outages.models import NetworkDevice
from tests.factories import ServicePointFactory

pytestmark = pytest.mark.django_db

GIS = (
    "device_id,kind,parent_id,name,latitude,longitude\n"
    "TX,source,,115 kV,,\n"
    "SUB,substation,TX,Alamo,32.9,-105.9\n"
    "SUB-1,feeder,SUB,,,\n"
    "SUB-1-R1,recloser,SUB-1,,,\n"
    "SUB-1-F1,fuse,SUB-1-R1,,,\n"
    "T1,transformer,SUB-1-F1,,32.91,-105.91\n"
    "T2,transformer,SUB-1,,,\n"
)


def test_import_and_trace(tmp_path, capsys):
    ServicePointFactory(code="SP-A", transformer="T1")
    ServicePointFactory(code="SP-B", transformer="T1")
    ServicePointFactory(code="SP-C", transformer="T2")
    ServicePointFactory(code="SP-X", transformer="T9")
    path = tmp_path / "gis.csv"
    path.write_text(GIS, encoding="utf-8")
    call_command("outages", "network", "import", str(path))
    out = capsys.readouterr().out
    assert "7 devices" in out and "3 service points under a transformer" in out
    assert "1 service points name a transformer not in the network: SP-X" in out
    assert NetworkDevice.objects.get(code="T1").line_number == 7

    call_command("outages", "network", "trace", "SUB-1-R1", "--json")
    figures = json.loads(capsys.readouterr().out)
    assert figures["upstream"] == ["SUB-1", "SUB", "TX"]
    assert figures["service_points_downstream"] == 2
    assert figures["devices_downstream"] == ["SUB-1-F1", "T1"]
    call_command("outages", "network", "trace", "SP-C", "--json")
    assert json.loads(capsys.readouterr().out)["upstream"] == ["T2", "SUB-1", "SUB", "TX"]


def test_a_bad_file_imports_nothing_and_names_its_lines(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text(GIS, encoding="utf-8")
    call_command("outages", "network", "import", str(good))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        GIS.replace("SUB-1-F1,fuse,SUB-1-R1", "SUB-1-F1,fuse,NOPE") + "T3,meter,SUB-1,,,\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        call_command("outages", "network", "import", str(bad))
    message = str(caught.value)
    assert message.startswith("bad.csv: nothing imported: line 9: kind 'meter'")
    assert "line 6: parent_id NOPE is not in the file" in message
    assert "\n" not in message
    # the earlier network stands
    assert NetworkDevice.objects.get(code="SUB-1-F1").parent_code == "SUB-1-R1"


def test_trace_of_an_unknown_code_is_one_line():
    with pytest.raises(CommandError, match="no device or service point NOPE"):
        call_command("outages", "network", "trace", "NOPE")
