"""A module parameter (``via_velocity.DMA_length``): set by unloading the module and
loading it again with the value (``modprobe -r``, ``modprobe MODULE PARAM=VALUE``), as
the seed did for each DMA_length.

Many NIC drivers do not show their parameters in /sys/module (the seed's DMA_length is
such an array, permission 0): then the value in force is what modprobe's configuration
says (``modprobe -c``), and restoring means loading the module as configured, without an
explicit value. An array parameter (one value per card) gets the value for every card
the driver has. ``modprobe_dir`` (``modprobe -d``) points modprobe at another module
tree: kmod's own dry run checks a plan against it.
"""

from __future__ import annotations

from nicdb.errors import InputError
from nicdb.evidence.context import module_state
from nicdb.sweep.base import Knob, StepError, run, value_text


def _first(text: str | None):
    """A parameter's value as /sys shows it ("6", "6,6,6", "Y") -> 6 / "Y"."""
    if text is None:
        return None
    head = text.split(",")[0].strip()
    return int(head) if head.lstrip("-").isdigit() else head


def configured(modprobe_c: str, module: str, param: str) -> str | None:
    """The value ``options MODULE ... PARAM=V`` lines give in ``modprobe -c`` output (the
    last one wins, as modprobe applies them in order)."""
    found = None
    for line in modprobe_c.splitlines():
        words = line.split()
        if len(words) >= 3 and words[0] == "options" and words[1].replace("-", "_") == module:
            for w in words[2:]:
                k, sep, v = w.partition("=")
                if sep and k == param:
                    found = v
    return found


class ModparamKnob(Knob):
    kind = "module-param"
    disrupts_link = True

    def __init__(self, setting, iface: str, *, cards: int = 1, array: bool = False, modprobe: str = "modprobe",
                 modprobe_dir: str | None = None, sys_root: str = "/sys"):
        super().__init__(setting, iface)
        self.module, self.param = setting.module, setting.key
        self.cards, self.array = max(1, cards), array
        self.modprobe, self.modprobe_dir, self.sys_root = modprobe, modprobe_dir, sys_root
        self._configured: str | None | bool = False  # not asked yet

    def _mp(self, *args: str) -> list[str]:
        return [self.modprobe, *(["-d", self.modprobe_dir] if self.modprobe_dir else []), *args]

    def state(self):
        return module_state(self.module, self.sys_root)

    def read(self):
        return _first(self.state().params.get(self.param))

    def configured(self) -> str | None:
        """What modprobe's configuration sets the parameter to (None: nothing: the driver's default)."""
        if self._configured is False:
            try:
                self._configured = configured(run(self._mp("-c"), timeout=30), self.module, self.param)
            except StepError:
                self._configured = None
        return self._configured

    def _arg(self, value) -> str:
        v = value_text(value)
        return f"{self.param}={','.join([v] * self.cards) if self.array else v}"

    def check(self, value) -> None:
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            raise InputError(f"{self.name} takes a number or a word, not {value_text(value)!r}")

    def dry_run(self, value) -> str:
        """kmod's own dry run of loading the module with ``value`` (``modprobe -n -v``):
        what it would insert. StepError when modprobe cannot find or load the module."""
        return run(self._mp("-n", "-v", self.module, self._arg(value)), timeout=30,
                   what=f"modprobe's dry run of {self.module} {self._arg(value)}")

    def commands(self, value) -> list[list[str]]:
        return [self._mp("-r", self.module), self._mp(self.module, self._arg(value))]

    def restore_commands(self, original) -> list[list[str]]:
        conf = self.configured()
        if original is None or (conf is not None and _first(conf) == original):
            return [self._mp("-r", self.module), self._mp(self.module)]  # as configured
        return self.commands(original)

    def describe(self, value) -> str:
        if value is not None:
            return value_text(value)
        conf = self.configured()
        return f"as configured ({self.param}={conf} in modprobe.d)" if conf else "the driver's default (as configured)"
