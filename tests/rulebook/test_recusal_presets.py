"""Each preset's recusal substitutes (回避) load as the preset states them, and quote their seed."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from kesu.organization.models import Role
from kesu.rulebook.models import RecusalSubstitute
from kesu.rulebook.services import apply_preset, available_presets, read_preset

SEEDS = Path("/work/shared/seeds")


@pytest.mark.django_db
@pytest.mark.parametrize("name", available_presets())
def test_preset_loads_its_recusal_substitutes(name):
    apply_preset(name=name)
    loaded = {(r.role, r.substitute_role, r.deputy_stands_in) for r in RecusalSubstitute.objects.all()}
    stated = {
        (s["role"], s.get("substitute_role", ""), s.get("deputy_stands_in", False))
        for s in read_preset(name)["recusal"]
    }
    assert loaded == stated
    # every preset decides for a recused general manager (who alone approves transfers)
    assert Role.GENERAL_MANAGER in {role for role, _, _ in loaded}


@pytest.mark.parametrize("name", available_presets())
def test_preset_cites_its_seed_word_for_word(name):
    for spec in read_preset(name)["recusal"]:
        assert "seed" in spec["source"] and spec["quotes"], "say what the seed says, or that it is silent"
        if not SEEDS.is_dir():
            pytest.skip("the seed texts are not on this machine")
        for quote in spec["quotes"]:
            assert quote["quote"] in (SEEDS / quote["seed"]).read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_substitute_must_be_named():
    with pytest.raises(ValidationError):
        RecusalSubstitute(role=Role.CS_DIRECTOR).full_clean()
    with pytest.raises(ValidationError):
        RecusalSubstitute(role=Role.VICE_PRESIDENT, substitute_role=Role.VICE_PRESIDENT).full_clean()
