"""The locale tables: one set of keys in every language, fields that format."""

import string

import pytest

from reportbuild.locale import available, get_locale


def test_every_locale_has_the_same_keys_and_fields():
    tags = available()
    assert {"zh-CN", "en-US"} <= set(tags)
    base = get_locale("zh-CN")
    for tag in tags:
        loc = get_locale(tag)
        assert loc.words.keys() == base.words.keys(), tag
        assert loc.rules.keys() == base.rules.keys(), tag
        for key, text in loc.words.items():
            fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            want = {f for _, f, _, _ in string.Formatter().parse(base.words[key]) if f}
            assert fields == want, (tag, key)


def test_a_language_finds_its_regional_table_and_an_unknown_one_is_refused():
    assert get_locale("en").tag == "en-US"
    assert get_locale("ZH-cn").tag == "zh-CN"
    assert get_locale(None).t("figure.label", number="1-1") == "图 1-1"
    with pytest.raises(KeyError):
        get_locale("tlh")
