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


@pytest.mark.django_db
def test_the_admin_lists_and_edits_the_substitutes(client, django_user_model, org):
    from django.urls import reverse

    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com", "pw"))
    admin_client = client

    rule = RecusalSubstitute.objects.get(role=Role.GENERAL_MANAGER)
    page = admin_client.get(reverse("admin:rulebook_recusalsubstitute_changelist"))
    assert page.status_code == 200 and rule in page.context["cl"].result_list

    # naming the chairman instead of the vice president, as a company whose rules say so would
    chairman = org.admin
    page = admin_client.post(
        reverse("admin:rulebook_recusalsubstitute_change", args=[rule.pk]),
        {
            "role": Role.GENERAL_MANAGER,
            "substitute_role": "",
            "substitute": chairman.pk,
            "source": "董事长审批",
        },
    )
    assert page.status_code == 302
    rule.refresh_from_db()
    assert (rule.substitute, rule.substitute_role) == (chairman, "")

    # and nobody at all is refused
    page = admin_client.post(
        reverse("admin:rulebook_recusalsubstitute_change", args=[rule.pk]),
        {"role": Role.GENERAL_MANAGER, "substitute_role": "", "substitute": "", "source": ""},
    )
    assert page.status_code == 200 and page.context["adminform"].form.errors
