"""Driver and parameter advice: pure functions over knowledge-base-shaped rows."""

from nicdb.advice.driver import choose_driver
from nicdb.advice.params import advise_params, modprobe_line


def sup(driver, kind, status="supported", kernels="*", reason=""):
    return {"driver": driver, "kind": kind, "status": status, "kernels": kernels, "reason": reason,
            "os": "linux", "source": None, "confidence": "driver-source"}


def issue(id_, severity, affected):
    return {"id": id_, "title": id_, "severity": severity, "affected": affected}


VELOCITY = [sup("via-velocity", "in-tree"), sup("velocityget", "vendor", kernels="<2.6.33")]
ISSUES = {"via-velocity": [issue("int_works livelock", "major", "<2.6.29"), issue("wol", "minor", "2.6.26")],
          "velocityget": [issue("proc leak", "minor", "*")]}


def test_old_kernel_with_livelock_prefers_vendor_driver():
    adv = choose_driver(VELOCITY, ISSUES, kernel="2.6.26")
    assert adv.recommended == "velocityget"
    assert any("via-velocity has known issues" in w for w in adv.why)


def test_current_kernel_prefers_in_tree_and_vendor_is_unavailable():
    adv = choose_driver(VELOCITY, ISSUES, kernel="6.1.0")
    assert adv.recommended == "via-velocity"
    vg = next(o for o in adv.options if o.name == "velocityget")
    assert vg.status == "unavailable" and "6.1.0" in vg.reason


def test_unknown_kernel_assumes_current_and_says_so():
    adv = choose_driver(VELOCITY, ISSUES, kernel=None)
    assert adv.recommended == "via-velocity" and adv.kernel_assumed
    assert "kernel version unknown" in adv.why[0]


def test_refused_revision_is_never_recommended():
    rows = [sup("8139too", "in-tree", "refused", reason="rev >= 0x20 is a C+ chip"), sup("8139cp", "in-tree")]
    adv = choose_driver(rows, {}, kernel="6.1")
    assert adv.recommended == "8139cp"
    assert any("8139too refuses this revision" in w for w in adv.why)


def test_modalias_candidates_without_notes_are_listed():
    adv = choose_driver([], {}, kernel="6.1", candidate_modules=["virtio_pci"])
    assert adv.recommended == "virtio_pci"
    assert adv.options[0].status == "candidate"


PARAMS = [{
    "name": "DMA_length", "array": True, "meaning": "", "value_names": {"6": "store and forward"},
    "defaults": [{"versions": "<2.6.33", "value": 0}, {"versions": ">=2.6.33", "value": 6}],
    "recommend": [
        {"rev_lo": 0, "rev_hi": 0x7F, "value": 6, "why": "plateau 5-7", "evidence": ["seed"], "kernels": "*",
         "confidence": "measured", "source": None},
        {"rev_lo": 0x80, "rev_hi": 0xFF, "value": None, "why": "no difference on PCIe", "evidence": [],
         "kernels": "*", "confidence": "seed-inferred", "source": None},
    ],
}]
DRIVER = {"name": "via-velocity", "module": "via_velocity"}


def test_dma_length_set_on_old_kernel():
    (a,) = advise_params(DRIVER, PARAMS, 0x11, "2.6.26")
    assert (a.action, a.recommended, a.default) == ("set", 6, 0)
    assert modprobe_line([a]) == "options via_velocity DMA_length=6"
    assert modprobe_line([a], cards=2) == "options via_velocity DMA_length=6,6"


def test_never_advise_setting_the_default():
    (a,) = advise_params(DRIVER, PARAMS, 0x11, "6.1")
    assert a.action == "already-default" and a.default == 6
    assert modprobe_line([a]) is None


def test_pcie_generation_keeps_default():
    (a,) = advise_params(DRIVER, PARAMS, 0x82, "2.6.26")
    assert a.action == "keep-default" and "PCIe" in a.why


def test_unavailable_driver_names_every_kernel_range_it_has():
    rows = [{"driver": "vend", "kind": "vendor", "status": "supported", "kernels": k, "reason": "",
             "os": "linux", "source": None, "confidence": "vendor-source"} for k in ("2.6.19-2.6.34", "2.2.0-2.6.18")]
    (opt,) = choose_driver(rows, {}, kernel="6.1").options
    assert opt.status == "unavailable" and "(kernels 2.2.0-2.6.18, 2.6.19-2.6.34)" in opt.reason
    (opt,) = choose_driver(rows, {}, kernel="2.6.20").options
    assert opt.status == "supported"


def test_vendor_driver_issues_are_judged_by_the_drivers_own_version():
    """A vendor driver's `affected` range is in its own versions, not the kernel's."""
    rows = [sup("r8169", "in-tree"), dict(sup("r8168", "vendor"), driver_version="8.055.00")]
    issues = {"r8168": [issue("new in 8.055", "major", ">=8.055.00"), issue("old bug", "major", "<8.050")]}
    adv = choose_driver(rows, issues, kernel="6.12.0")
    r8168 = next(o for o in adv.options if o.name == "r8168")
    assert [i["id"] for i in r8168.issues] == ["new in 8.055"]  # 6.12 < 8.055 would have hidden it
    # unknown version: every issue may apply, and is shown
    adv = choose_driver([sup("r8168", "vendor")], issues, kernel="6.12.0")
    assert [i["id"] for i in adv.options[0].issues] == ["new in 8.055", "old bug"]


def test_issues_limited_to_revisions_in_real_advice(run):
    import json

    def issues(rev):
        doc = json.loads(run("suggest", "--id", "1106:3119", "--rev", rev, "--kernel", "2.6.26", "--json").out)
        return {(o["name"], i) for o in doc["nics"][0]["drivers"]["options"] for i in o["issues"]}

    assert ("velocityget", "vt3119-duplex-test") in issues("01")  # VT3119
    assert not {i for _, i in issues("11")} & {"vt3119-duplex-test"}  # VT3216: not its issue
