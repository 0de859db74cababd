"""Preset sections: each app loads its own part of a rule book preset.

A preset is one JSON document; its ``severities`` and ``categories`` belong to complaints, its
``time_limits`` and ``escalation`` to deadlines, its ``recusal`` to the rule book itself. An app
registers a loader for its sections in ``AppConfig.ready()``; ``apply_preset`` calls them in
``order`` inside its transaction, so the rule book never imports the apps that build on it and a
preset that fails in any section saves nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PresetLoader = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class PresetSection:
    name: str
    order: int  # lower first: a section may refer to rows an earlier one loaded (a class by code)
    load: PresetLoader


_sections: dict[str, PresetSection] = {}


def register(name: str, *, order: int, load: PresetLoader) -> None:
    """Register ``load`` for the preset section ``name`` (idempotent: ready() may run twice)."""
    _sections[name] = PresetSection(name=name, order=order, load=load)


def registered() -> list[PresetSection]:
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def load_all(preset: dict[str, Any]) -> None:
    for section in registered():
        section.load(preset)
