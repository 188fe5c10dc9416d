"""Regional profiles are data files; malformed ones get a Chinese message naming the key."""

import pytest

from xltool import profiles
from xltool.errors import ProfileError


def test_builtin_profiles_load():
    names = {p.name for p in profiles.available()}
    assert {"national", "hebei", "hubei", "jiangxi"} <= names


def test_summary_bands_of_seed_000():
    b = profiles.load("national").bands("summary")
    assert b.grade(96.9) == "优秀"
    assert b.grade(85) == "优秀"
    assert b.grade(84.99) == "良好"
    assert b.grade(75) == "良好"
    assert b.grade(60) == "一般"
    assert b.grade(59.9) == "较差"


def test_execution_score_rules():
    assert profiles.load("national").execution_score(0.92) == pytest.approx(9.2)
    assert profiles.load("national").execution_score(1.05) == pytest.approx(10)
    assert profiles.load("hubei").execution_score(0.92) == pytest.approx(18.4)
    jx = profiles.load("jiangxi")
    assert [jx.execution_score(r) for r in (1.0, 0.99, 0.8, 0.79, 0.6, 0.59)] == [10, 7, 7, 5, 5, 0]
    assert profiles.load("hebei").execution_score(0.7524) == pytest.approx(75.24)


def test_user_profile_overrides_a_base(tmp_path):
    p = tmp_path / "mine.toml"
    p.write_text('base = "national"\nname = "mine"\n[grades]\nsummary = [[90, "优秀"], [80, "良好"], [60, "一般"], [0, "较差"]]\n',
                 encoding="utf-8")
    prof = profiles.load(str(p))
    assert prof.name == "mine"
    assert prof.bands("summary").grade(86) == "良好"
    assert prof.execution_points == 10


@pytest.mark.parametrize("body,key", [
    ('[execution_score]\nrule = "magic"\n', "execution_score.rule"),
    ('[grades]\nsummary = [[60, "一般"], [85, "优秀"]]\n', "grades.summary"),
    ('[grades]\nform = "优"\n', "grades.form"),
    ('[severity]\nSUM002 = "fatal"\n', "severity.SUM002"),
])
def test_malformed_profile_names_the_key(tmp_path, body, key):
    p = tmp_path / "bad.toml"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        profiles.load(str(p))
    assert key in exc.value.message


def test_unknown_profile_name():
    with pytest.raises(ProfileError) as exc:
        profiles.load("atlantis")
    assert "national" in exc.value.message


def test_toml_syntax_error(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("[grades\n", encoding="utf-8")
    with pytest.raises(ProfileError) as exc:
        profiles.load(str(p))
    assert "TOML" in exc.value.message
