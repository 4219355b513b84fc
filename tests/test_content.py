"""The content base loads, is rich enough, and a broken file gives a located error."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.content.loader import ContentInvalid, content_dir, load_catalog
from bot.content.schema import SKILL_IDS
from tests.helpers import clean_env

CONTENT = content_dir()


def test_exactly_the_eleven_skills(catalog):
    assert [s.id for s in catalog.skills] == list(SKILL_IDS)


def test_content_is_rich(catalog):
    topics = [t for s in catalog.skills for t in s.topics]
    assert len(topics) >= 110
    for skill in catalog.skills:
        assert 8 <= len(skill.topics) <= 15, skill.id
        assert len(skill.track) >= 6, skill.id
        assert skill.levels.entry and skill.levels.mid and skill.levels.senior


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


def test_broken_field_is_located(tmp_path):
    target = _copy(tmp_path)
    data = yaml.safe_load((target / "mlops.yaml").read_text())
    del data["topics"][2]["explain"]
    data["track"][0]["title"] = ""
    (target / "mlops.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ContentInvalid) as caught:
        load_catalog(target)
    messages = [str(e) for e in caught.value.errors]
    assert any(m.startswith("mlops.yaml: topics[2].explain") for m in messages), messages
    assert any(m.startswith("mlops.yaml: track[0].title") for m in messages), messages


def test_duplicate_alias_across_files(tmp_path):
    target = _copy(tmp_path)
    data = yaml.safe_load((target / "cloud.yaml").read_text())
    data["aliases"].append(yaml.safe_load((target / "mlops.yaml").read_text())["aliases"][0])
    (target / "cloud.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ContentInvalid) as caught:
        load_catalog(target)
    assert any("duplicate" in str(e) and "cloud.yaml" in str(e) for e in caught.value.errors)


def test_invalid_yaml(tmp_path):
    target = _copy(tmp_path)
    (target / "math.yaml").write_text("id: math\ntopics: [unclosed\n")
    with pytest.raises(ContentInvalid) as caught:
        load_catalog(target)
    assert any(e.file == "math.yaml" and "YAML" in e.message for e in caught.value.errors)


def test_cli_content_check(tmp_path):
    ok = subprocess.run([sys.executable, "-m", "bot.cli", "content", "check"], check=False, capture_output=True, text=True,
                        env=clean_env())
    assert ok.returncode == 0, ok.stderr
    assert "11 skills" in ok.stdout
    target = _copy(tmp_path)
    data = yaml.safe_load((target / "genai.yaml").read_text())
    data["topics"][0]["keywords"] = "not a list"
    (target / "genai.yaml").write_text(yaml.safe_dump(data))
    bad = subprocess.run([sys.executable, "-m", "bot.cli", "content", "check", str(target)], check=False, capture_output=True, text=True,
                         env=clean_env())
    assert bad.returncode == 1
    assert "genai.yaml: topics[0].keywords" in bad.stderr


def test_every_track_step_names_existing_topics_of_its_skill(catalog):
    for skill in catalog.skills:
        topic_ids = {t.id for t in skill.topics}
        for week, step in enumerate(skill.track, start=1):
            assert step.topics, f"{skill.id} week {week} names no topic"
            assert set(step.topics) <= topic_ids, f"{skill.id} week {week}: {set(step.topics) - topic_ids}"


def test_no_keyword_belongs_to_two_skills_without_a_disambiguation_entry(catalog):
    owners: dict[str, set[str]] = {}
    for skill in catalog.skills:
        for topic in skill.topics:
            for keyword in topic.keywords:
                owners.setdefault(keyword.lower(), set()).add(skill.id)
    shared = {k for k, skills in owners.items() if len(skills) > 1}
    assert shared <= set(catalog.ambiguous), f"shared without an entry: {sorted(shared - set(catalog.ambiguous))}"


def test_check_rejects_an_unknown_step_topic_and_an_unlisted_keyword_clash(tmp_path):
    target = _copy(tmp_path)
    mlops = yaml.safe_load((target / "mlops.yaml").read_text())
    mlops["track"][0]["topics"] = ["no-such-topic"]
    mlops["topics"][0]["keywords"].append("kubernetes pods")  # and the same keyword in cloud, below
    (target / "mlops.yaml").write_text(yaml.safe_dump(mlops))
    cloud = yaml.safe_load((target / "cloud.yaml").read_text())
    cloud["topics"][0]["keywords"].append("kubernetes pods")
    (target / "cloud.yaml").write_text(yaml.safe_dump(cloud))
    with pytest.raises(ContentInvalid) as caught:
        load_catalog(target)
    messages = [str(e) for e in caught.value.errors]
    assert any("track[0].topics" in m and "no-such-topic" in m for m in messages), messages
    assert any("kubernetes pods" in m and "disambiguation" in m for m in messages), messages


def _check_messages_after_appending(tmp_path, file: str, lines: str) -> list[str]:
    """The content check's messages once lines are appended to one file of a copy of the content."""
    target = _copy(tmp_path)
    with (target / file).open("a") as f:
        f.write(lines)
    with pytest.raises(ContentInvalid) as caught:
        load_catalog(target)
    return [str(e) for e in caught.value.errors]


def test_check_rejects_glossary_terms_that_point_two_ways(tmp_path):
    messages = _check_messages_after_appending(tmp_path, "glossary.yaml",
                                               "no-such-topic: [widget]\n"
                                               "sql: [ttft]\n"               # already listed under another topic
                                               "rag: [pytest]\n"             # a keyword of testing-ci
                                               "embeddings: ['@everyone hi']\n")
    assert any("no-such-topic" in m and "no topic" in m for m in messages), messages
    assert any("'ttft'" in m and "twice" in m for m in messages), messages
    assert any("'pytest'" in m and "testing-ci" in m for m in messages), messages
    assert any("@everyone" in m and "plain text" in m for m in messages), messages


def test_every_glossary_term_alone_finds_its_topic(catalog):
    """A learner typing just the term ("configmap", "bptt", "type i error") reaches the topic the glossary names;
    a few terms lose to a name of another topic that shares their words (at most 3%)."""
    from bot.content.search import Searcher
    searcher = Searcher(catalog, semantic=False)
    assert len(catalog.glossary) > 500
    wrong = [term for term, topic_id in catalog.glossary.items() if searcher.search(term).topic_id != topic_id]
    assert len(wrong) <= 0.03 * len(catalog.glossary), wrong


def test_check_rejects_homonym_entries_that_cannot_work(tmp_path):
    messages = _check_messages_after_appending(tmp_path, "homonyms.yaml",
                                               "\nzebrafish: stripes aquarium\n"  # not a word of any name of ours
                                               "docker: Harbour crane\n"         # a cue is one lowercase word
                                               "kubernetes: ''\n")
    assert any("zebrafish" in m and "names" in m for m in messages), messages
    assert any("docker" in m and "single lowercase" in m for m in messages), messages
    assert any("kubernetes" in m and "non-empty" in m for m in messages), messages


def test_check_rejects_asks_that_cannot_train_the_classifier(tmp_path):
    messages = _check_messages_after_appending(tmp_path, "asks/mlops.yaml",
                                               "  no-such-topic: [\"how do I ship it\"]\n"
                                               "  rag: [\"not a topic of mlops\"]\n"
                                               "  ci-cd-for-ml:\n"
                                               "  - \"how do I ship models on every merge\"\n"
                                               "  - \"How do I ship  models on every merge\"\n"
                                               "  - \"@everyone look at https://example.com\"\n")
    assert any("no-such-topic" in m and "no topic of mlops" in m for m in messages), messages
    assert any("rag" in m and "no topic of mlops" in m for m in messages), messages
    assert any("ci-cd-for-ml[1]" in m and "twice" in m for m in messages), messages
    assert any("ci-cd-for-ml[2]" in m and "mentions" in m for m in messages), messages


def test_every_topic_has_learner_phrasings_for_the_classifier(catalog):
    """Each topic carries whole phrasings of how learners ask (content/asks/), long posts among them."""
    topics = [t.id for s in catalog.skills for t in s.topics]
    thin = [t for t in topics if len(catalog.asks.get(t, ())) < 10]
    assert not thin, thin
    long_posts = sum(len(text) > 200 for texts in catalog.asks.values() for text in texts)
    assert long_posts >= 2 * len(topics)
