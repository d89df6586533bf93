"""The prerequisite graph: menu order, what to take next, and problems that never crash the menu."""

from tutor.lessons import load_catalog

from _lessons import small_lesson


def folder_of(write, **lessons):
    """A folder of lesson files: file stem -> (id, prerequisites)."""
    for stem, (lesson_id, pre) in lessons.items():
        write(f"lessons/{stem}.toml", small_lesson(prereqs=pre, lesson_id=lesson_id))
    return write("lessons/README.md", "not a lesson").parent


def test_menu_order_puts_prerequisites_first(write):
    """Prerequisites come first even when their file names sort later; ties go by file name."""
    folder = folder_of(write, **{"01-c": ("c", '["z"]'), "02-a": ("a", "[]"), "03-b": ("b", '["a"]'),
                                 "09-z": ("z", "[]")})
    catalog = load_catalog(folder)
    assert [i.id for i in catalog.items] == ["a", "b", "z", "c"]
    assert set(catalog.graph.edges) == {("z", "c"), ("a", "b")}
    assert catalog.number("z") == 3 and catalog.find("3").id == "z" and catalog.find("b").id == "b"


def test_next_lesson(write):
    """The next lesson is the first not done whose prerequisites are all done."""
    catalog = load_catalog(folder_of(write, **{"01-a": ("a", "[]"), "02-b": ("b", '["a"]'),
                                             "03-c": ("c", "[]")}))
    assert catalog.next_lesson(set()).id == "a"
    assert catalog.next_lesson({"a"}).id == "b"
    assert catalog.next_lesson({"b"}).id == "a"
    assert catalog.next_lesson({"a", "b", "c"}) is None


def test_unknown_prerequisite_and_cycle_are_problems(write):
    """Unknown ids and cycles are reported per lesson; the menu still lists every file."""
    catalog = load_catalog(folder_of(write, **{"01-a": ("a", '["b"]'), "02-b": ("b", '["a"]'),
                                             "03-c": ("c", '["nope"]'), "04-d": ("d", "[]")}))
    errors = "\n".join(catalog.errors())
    assert 'prerequisites: unknown lesson "nope"' in errors
    assert "prerequisites: a cycle (a -> b)" in errors
    assert [i.id for i in catalog.items] == ["a", "b", "c", "d"]
    assert catalog.next_lesson(set()).id == "d"


def test_broken_file_is_an_item_with_its_error(write):
    """A malformed lesson never raises: it is listed, last, with its one-line error."""
    folder = folder_of(write, **{"02-a": ("a", "[]")})
    write("lessons/01-broken.toml", "id = \"broken\"\ntitle = 3\n")
    catalog = load_catalog(folder)
    broken = catalog.items[-1]
    assert broken.lesson is None and broken.id == "01-broken" and not broken.ok
    assert str(broken.error).endswith("01-broken.toml: title: takes a non-empty string, not 3")
    assert [i.id for i in catalog.lessons] == ["a"]


def test_duplicate_ids(write):
    """Two files with one id: the second one is a problem."""
    catalog = load_catalog(folder_of(write, **{"01-a": ("a", "[]"), "02-a": ("a", "[]")}))
    assert any('id "a" is already used by' in e for e in catalog.errors())
    assert [i.ok for i in catalog.items] == [True, False]


def test_shipped_catalog_is_clean():
    """The shipped lessons load with no errors, in their numbered order."""
    catalog = load_catalog()
    assert catalog.errors() == []
    ids = [i.id for i in catalog.items]
    assert ids[:11] == [
        "journey", "page-cache", "acks-0", "acks-1", "acks-all", "unclean-zombie", "producer-buffer",
        "retries-idempotence", "consumer-commits", "offset-reset", "capstone"]
    assert ids[11:12] == ["explore"]
    assert {"failed-not-unwritten", "consumer-examples", "flush-interval", "acks-price"} <= set(ids[12:])
    assert ids.index("consumer-examples") < ids.index("partition-commits") < ids.index("rebalances")
