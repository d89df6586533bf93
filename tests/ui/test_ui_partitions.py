"""Topics of several partitions and a consumer group on the sandbox: the layout functions with fake
views, the drawn pipeline of a real three-partition run, and the group keys through Pilot."""

import dataclasses
import re
from types import SimpleNamespace

import pytest

from tutor.sim.snapshot import ReplicaView, PartitionView, Segment
from tutor.ui import draw_group, draw_parts, members
from tutor.ui.draw import pipeline
from tutor.ui.layout import arrange, group_height, preferred_height
from tutor.ui.widgets.pipeline import PipelineView

from groupfakes import member, two, with_group
from uihelp import aio, driver, goto, sandbox, scenario

THREE = {"topic": {"partitions": 3}, "workload": {"keys": 12}}


def text(pieces) -> str:
    """The characters of a row of pieces."""
    return "".join(t for t, _, _ in pieces)


def fake_tokens(label, ranges, width, area, ghosts=()):
    """A stand-in for the drawing's tokens: the label and the ids as "a‥b" ranges, cut to width."""
    words = " ".join(f"{r.start}‥{r.stop - 1}" for r in ranges if len(r)) or "—"
    return [(label, draw_parts.LABEL, None), ((words + "".join(f" ✗{g}" for g in ghosts))[: max(width - len(label), 0)],
                                                  area, None)]


def replica(name, leader=False, in_isr=True, role=None, leo=10, hw=8, flushed=4):
    """A replica holding offsets 0..leo-1 with ids 100.., flushed up to `flushed`."""
    segs = (Segment(0, flushed, 100, 0, True), Segment(flushed, leo, 100 + flushed, 0, False))
    return ReplicaView(name, True, role or ("leader" if leader else "follower"), leader, in_isr, hw, leo, flushed, segs)


def partition(index, leader="broker-1", isr=("broker-1", "broker-2"), epoch=3, hw=8):
    """A partition led by `leader`, replicated on broker-1 and broker-2."""
    reps = tuple(replica(b, leader=b == leader, in_isr=b in isr) for b in ("broker-1", "broker-2"))
    return PartitionView(index, f"t-{index}", leader, epoch, isr, hw, reps)


# --- partitions: the layout functions ---------------------------------------------------------
def test_replica_row_narrow_and_wide():
    """A narrow row: the partition, ★ for the leader, its HW, then cache and disk records; a wide one spells
    out the role, the epoch and the log end."""
    p = partition(2)
    narrow = text(draw_parts.replica_row(p, p.replicas[0], 26, fake_tokens))
    assert narrow.startswith("t-2★ HW 8 ▒")
    assert "104‥109" in narrow and "█" in narrow  # the cache's ids, then the disk's
    wide = text(draw_parts.replica_row(p, p.replicas[0], 70, fake_tokens))
    assert wide.startswith("t-2 ★ leader e3") and "LEO 10 HW 8" in wide and "cache 104‥109" in wide
    assert "disk 100‥103" in wide


def test_replica_row_marks_a_follower_out_of_the_isr_and_a_zombie():
    """¬ for a follower out of the ISR, Z for a replica that thinks it leads while the controller says not."""
    p = partition(0, isr=("broker-1",))
    assert text(draw_parts.replica_row(p, p.replicas[1], 26, fake_tokens)).startswith("t-0¬ HW")
    assert "OUT of ISR" in text(draw_parts.replica_row(p, p.replicas[1], 70, fake_tokens))
    zombie = dataclasses.replace(p.replicas[1], role="leader")
    assert text(draw_parts.replica_row(p, zombie, 26, fake_tokens)).startswith("t-0Z HW")


def test_broker_rows_one_per_partition_held_and_ghosts_on_their_partition():
    """A broker's box has a row for each partition it holds a copy of, t-0 first; a lost record is drawn on
    the row of the partition it was in."""
    three = (partition(0), partition(1, leader="broker-2"), dataclasses.replace(partition(2), replicas=()))
    snap = SimpleNamespace(partitions=three)
    rows = draw_parts.broker_rows(snap, "broker-2", 40, fake_tokens, {1: {"cache": [7]}})
    assert [text(r)[:3] for r in rows] == ["t-0", "t-1"]
    assert "✗7" in text(rows[1]) and "✗7" not in text(rows[0])
    assert "★" in text(rows[1]) and "★" not in text(rows[0])
    assert text(draw_parts.broker_rows(snap, "broker-9", 40, fake_tokens)[0]) == "no copy of any partition"


def test_header_names_every_leader_in_the_fullest_form_that_fits():
    """The header's forms: epoch, ISR and HW when there is room, the leaders alone when short."""
    snap = SimpleNamespace(partitions=(partition(0), partition(1, leader=None)), controller_up=True)
    full = text(draw_parts.header_pieces(snap, 100))
    assert full == "t-0 ★b1 e3 ISR [1,2] HW 8 · t-1 OFFLINE e3 ISR [1,2]"  # offline: no HW to tell
    assert text(draw_parts.header_pieces(snap, 30)) == "t-0 ★b1 HW 8 · t-1 OFFLINE"
    assert text(draw_parts.header_pieces(snap, 20)) == "t-0 ★b1 · t-1 OFFLINE"


def test_layout_grows_broker_boxes_beyond_three_partitions():
    """Three partitions fit the boxes one partition uses; more partitions, more rows."""
    one, three, six = (arrange(80, 17, ["broker-1", "broker-2"], True, n) for n in (1, 3, 6))
    assert one.boxes["broker-1"].h == three.boxes["broker-1"].h == 5
    assert six.boxes["broker-1"].h == 8
    assert preferred_height(80, 3, True, 3) == preferred_height(80, 3, True, 1) == 16
    assert preferred_height(80, 3, True, 6) == 19
    assert arrange(160, 30, ["broker-1"], True, 6).boxes["broker-1"].h == 8


def test_group_box_placement():
    """Wide: under the processed box; narrow and short: in the consumer's place; narrow and tall: below it."""
    wide = arrange(160, 30, ["broker-1", "broker-2", "broker-3"], True, 3, members=2)
    assert wide.boxes["group"].y == wide.boxes["sink"].bottom and wide.boxes["group"].h == group_height(2, 37)
    short = arrange(80, 17, ["broker-1", "broker-2", "broker-3"], True, 3, members=2)
    assert "consumer" not in short.boxes and short.boxes["group"].w == 80 and short.boxes["group"].h == 5
    assert short.path("broker-1", "consumer-2")  # a member's messages go to the group's box
    assert wide.path("broker-1", "consumer-1")[-1] == (wide.boxes["consumer"].x - 1, wide.boxes["consumer"].mid_y)
    assert wide.path("broker-1", "consumer-2")[-1] == (wide.boxes["group"].x - 1, wide.boxes["group"].mid_y)
    tall = arrange(80, 30, ["broker-1", "broker-2", "broker-3"], True, 3, members=2)
    assert tall.boxes["group"].y == tall.boxes["consumer"].bottom
    assert preferred_height(80, 3, True, 3, members=2) == 16 + 5
    assert preferred_height(80, 3, True, 3, members=2, avail=17) == 11 + 5  # the group in the consumer's place


# --- the group: the box's functions with fake GroupViews ------------------------------------
def test_poll_bar_turns_yellow_then_red_near_max_poll_interval():
    """The bar fills with the time since the last poll against max.poll.interval.ms, and changes colour."""
    t = 50_000.0
    calm, late, doomed = (member("consumer-1", (0,), t, since) for since in (1000, 7000, 9000))
    assert draw_group.poll_style(draw_group.poll_share(calm, t)) == draw_group.GOOD
    assert draw_group.poll_style(draw_group.poll_share(late, t)) == draw_group.WARN
    assert draw_group.poll_style(draw_group.poll_share(doomed, t)) == draw_group.ALERT
    assert text(draw_group.poll_pieces(doomed, t, 40)) == "poll ▮▮▮▮▯ 9.0 s of 10 s max.poll"
    assert text(draw_group.poll_pieces(doomed, t, 22)) == "poll ▮▮▮▮▯ 9.0 s/10 s"
    assert text(draw_group.poll_pieces(doomed, t, 16)) == "▮▮▮▮▯ 9.0/10 s"
    assert text(draw_group.poll_pieces(doomed, t, 8)) == "▮▮▮▮▯"
    down = dataclasses.replace(doomed, up=False)
    assert draw_group.poll_pieces(down, t, 40) == []


def test_member_rows_show_partitions_offsets_and_the_chosen_member():
    """One line per member when wide: name, state, each partition's position/committed, the poll bar;
    two lines when narrow (names shortened only when the state and the bar need the room); ▶ marks the
    member the keys aim at."""
    g = two(1000.0)
    wide = [text(r) for r in draw_group.member_rows(g, 1000.0, 76, False, "consumer-2")]
    assert wide[0].startswith(" consumer-1 Stable t-0 40/39 · t-1 41/40")
    assert wide[1].startswith("▶consumer-2 Stable t-2 42/41") and wide[1].endswith("1.0 s of 10 s max.poll")
    assert all(len(row) == 76 for row in wide)
    narrow = [text(r) for r in draw_group.member_rows(g, 1000.0, 30, True)]
    assert narrow[0].startswith(" consumer-1 Stable") and narrow[1] == "   t-0 40/39 · t-1 41/40"
    assert len(narrow) == 4
    tight = [text(r) for r in draw_group.member_rows(g, 1000.0, 20, True)]
    assert tight[0].startswith(" c1 Stable")


def test_member_down_and_a_group_without_coordinator():
    """A stopped member reads DOWN; a group looking for its coordinator says so in red."""
    g = dataclasses.replace(two(), coordinator=None,
                            members=(member("consumer-1", (0, 1, 2)), member("consumer-2", (), up=False)))
    rows = [text(r) for r in draw_group.box_rows(g, 0.0, 76, 10)]
    assert rows[0].startswith("coordinator none (looking for it)")
    assert "DOWN" in rows[2] and "no partitions" in rows[2]


def test_title_says_rebalancing_and_generation():
    """The box's title: the state and generation, REBALANCING while members rejoin."""
    assert draw_group.title(two(generation=4), 60) == ("group · Stable · generation 4", draw_group.BOLD)
    assert draw_group.title(two(rebalancing=True, generation=5), 60)[0] == "group · REBALANCING · generation 5"
    assert draw_group.title(two(rebalancing=True), 60)[1] == draw_group.WARN


def test_box_rows_count_the_members_that_do_not_fit():
    """More members than rows: the last row counts the ones left out."""
    many = dataclasses.replace(two(), members=tuple(member(f"consumer-{i}", (i,)) for i in range(1, 9)))
    rows = draw_group.box_rows(many, 0.0, 76, 4)
    assert len(rows) == 4 and text(rows[-1]) == "+6 more members"


def test_offset_pieces_count_the_partitions_left_out():
    """Partitions that do not fit the width are counted, not cut in half."""
    items = [(p, 1000 + p, 990 + p) for p in range(6)]
    assert text(draw_group.offset_pieces(items, 200)).count("t-") == 6
    short = text(draw_group.offset_pieces(items, 40))
    assert short.endswith(" +4") and len(short) <= 40


# --- the group keys: which Actions they fire --------------------------------------------------
def test_group_keys_without_a_group_say_why_in_one_line():
    """An engine without groups, or a run without one: NoGroup (a ValueError) with one line, nothing built."""
    old = SimpleNamespace()  # a snapshot of an engine that has no `group` field
    with pytest.raises(members.NoGroup, match="does not model consumer groups"):
        members.join(old, None)
    base = driver(scenario(**THREE)).snap
    with pytest.raises(members.NoGroup, match="no consumer group"):
        members.slow(with_group(base, None), None)


def test_group_actions_from_a_group_of_two():
    """join names the next consumer-N; crash and slow aim at the chosen member (default the first up);
    slow delays processing past max.poll.interval.ms."""
    snap = with_group(driver(scenario(**THREE)).snap, two())
    assert [(a.action, a.target) for a in members.join(snap, None)] == [("join", "consumer-3")]
    waiting = dataclasses.replace(two(), members=two().members + (member("consumer-4", (), up=False),
                                                                  member("consumer-5", (), up=False)))
    assert members.joiner(with_group(snap, waiting)) == "consumer-4"  # a declared member not yet started
    assert [(a.action, a.target) for a in members.crash(snap, None)] == [("crash", "consumer-1")]
    (slow,) = members.slow(snap, "consumer-2")
    assert (slow.action, slow.target) == ("slow", "consumer-2")
    assert slow.params["delay.ms"] > two().members[1].max_poll_interval_ms
    assert members.next_member(snap, "consumer-1") == "consumer-2"
    assert members.next_member(snap, "consumer-2") == "consumer-1"
    first_down = dataclasses.replace(two(), members=(member("consumer-1", (0,), up=False), member("consumer-2", (1,))))
    assert members.chosen(with_group(snap, first_down), None) == "consumer-2"


# --- a real three-partition run, drawn --------------------------------------------------------
def test_three_partitions_fit_80_columns_with_every_replica():
    """At 80x24 (17 pipeline rows) each broker box shows a row per partition, with the replica's HW and
    ★ on the leader's row only: every partition has exactly one ★."""
    d = driver(scenario(**THREE))
    d.seek(4000)
    frame = d.frame()
    lines = pipeline(frame, 80, 17).text()
    snap = frame.snap
    assert len(snap.partitions) == 3
    cells = [cell.strip() for line in lines for cell in re.split("[┃│]", line) if re.match(r" t-\d", cell)]
    assert len(cells) == 9  # three brokers x three partitions, side by side
    for p in snap.partitions:
        mine = [c for c in cells if c.startswith(f"t-{p.index}")]
        assert len(mine) == 3 and sum(c.startswith(f"t-{p.index}★") for c in mine) == 1
        assert sorted(int(re.search(r"HW (\d+)", c).group(1)) for c in mine) == sorted(r.hw for r in p.replicas)


@aio
async def test_sandbox_three_partitions_and_the_group_keys_with_no_group():
    """On a real three-partition run the keys that need a group say so in one line (no traceback)."""
    async with sandbox(scenario(**THREE), size=(80, 24)) as (screen, pilot):
        await goto(screen, pilot, 3000)
        canvas = screen.query_one(PipelineView).text()
        assert "t-2★" in canvas
        screen.driver.snap = NoGroupSnap(screen.driver.snap)
        for key in ("J", "G", "M", "m"):
            await pilot.press(key)
            await pilot.pause()
        told = [str(n.message) for n in screen.app._notifications]
        assert sum("does not model consumer groups" in t for t in told) == 4


class NoGroupSnap:
    """A snapshot as an engine without consumer groups hands it: every field but `group`."""

    def __init__(self, snap):
        self._snap = snap

    def __getattr__(self, name):
        if name == "group":
            raise AttributeError(name)
        return getattr(self._snap, name)


@aio
async def test_group_keys_fire_the_engine_actions_and_choose_members(monkeypatch):
    """With a group of two and a third member declared but not started: m chooses consumer-2 (▶ in the box,
    the status line), G crashes it, M slows it past max.poll.interval.ms, J starts consumer-3; the UI hands
    each to the session's apply."""
    def group(t=0.0):
        """Two members running, consumer-3 waiting to join."""
        g = two(t)
        return dataclasses.replace(g, members=g.members + (member("consumer-3", (), t, up=False),))

    async with sandbox(scenario(**THREE), size=(120, 40)) as (screen, pilot):
        d = screen.driver
        real = d.frame
        monkeypatch.setattr(d, "frame", lambda: dataclasses.replace(
            real(), snap=with_group(real().snap, group(real().snap.t)),
            member=members.chosen(with_group(real().snap, group()), d.member)))
        fired = []
        monkeypatch.setattr(d.session, "apply", lambda action: fired.append(action) or [f"{action.action} done"])
        await goto(screen, pilot, 2000)
        d.snap = with_group(d.snap, group(d.snap.t))
        await pilot.press("m")
        await pilot.pause()
        assert d.member == "consumer-2"
        screen.show()
        await pilot.pause()
        canvas = screen.query_one(PipelineView).text()
        assert "▶consumer-2" in canvas and "Stable · generation 2" in canvas
        assert "member consumer-2" in str(screen.query_one("#status").render())
        for key in ("G", "M", "J"):
            d.snap = with_group(d.snap, group(d.snap.t))
            await pilot.press(key)
            await pilot.pause()
        assert [(a.action, a.target) for a in fired] == [("crash", "consumer-2"), ("slow", "consumer-2"),
                                                         ("join", "consumer-3")]
        assert fired[1].params["delay.ms"] > 10_000
        lines = screen.query_one(PipelineView).text().splitlines()
        y = next(i for i, line in enumerate(lines) if " consumer-1 Stable" in line)
        await pilot.click(PipelineView, offset=(lines[y].index(" consumer-1 Stable") + 3, y))
        await pilot.pause()
        assert d.member == "consumer-1"


@aio
async def test_join_adds_the_next_member_and_refuses_a_full_group_before_the_engine(monkeypatch):
    """J starts the next new member (consumer-3 in a group of two); a group of MAX_MEMBERS refuses in one
    line and hands the session nothing."""
    from tutor.sim.failures import MAX_MEMBERS

    async with sandbox(scenario(**THREE), size=(80, 24)) as (screen, pilot):
        d = screen.driver
        fired = []
        monkeypatch.setattr(d.session, "apply", lambda action: fired.append(action) or ["done"])
        d.snap = with_group(d.snap, two())
        await pilot.press("J")
        await pilot.pause()
        assert [(a.action, a.target) for a in fired] == [("join", "consumer-3")]
        fired.clear()
        full = two()
        full = dataclasses.replace(full, members=tuple(dataclasses.replace(full.members[0], name=f"consumer-{i}")
                                           for i in range(1, MAX_MEMBERS + 1)))
        d.snap = with_group(d.snap, full)
        await pilot.press("J")
        await pilot.pause()
        told = [str(n.message) for n in screen.app._notifications]
        assert fired == [] and any(t.startswith(f"consumer-{MAX_MEMBERS + 1} cannot join: a group here has at most")
                                   for t in told)


@aio
async def test_engine_refusal_is_one_line(monkeypatch):
    """When the engine refuses a group action (ValueError), the screen shows its first line, no traceback."""
    async with sandbox(scenario(**THREE), size=(80, 24)) as (screen, pilot):
        d = screen.driver

        def refuse(action):
            """The engine's refusal of an unknown target."""
            raise ValueError(f"unknown target {action.target!r}: targets are ...\nmore detail")
        monkeypatch.setattr(d.session, "apply", refuse)
        g = two()
        d.snap = with_group(d.snap, dataclasses.replace(g, members=g.members + (member("consumer-3", (), up=False),)))
        await pilot.press("J")
        await pilot.pause()
        told = [str(n.message) for n in screen.app._notifications]
        assert "unknown target 'consumer-3': targets are ..." in told


def test_a_click_on_a_member_name_points_at_that_member():
    """The member's name in the group's box is a click target naming the member (the screen chooses it)."""
    d = driver(scenario(**THREE))
    d.seek(2000)
    frame = dataclasses.replace(d.frame(), snap=with_group(d.snap, two(d.snap.t)))
    canvas = pipeline(frame, 80, 17)
    lines = canvas.text()
    y = next(i for i, line in enumerate(lines) if "consumer-2" in line)
    assert canvas.at(lines[y].index("consumer-2") + 3, y) == ("node", "consumer-2")


def test_a_host_without_power_says_so_on_each_row():
    """After a power loss the page cache is empty: each of the broker's rows says "no power", then its disk."""
    p = partition(0)
    row = text(draw_parts.replica_row(p, p.replicas[1], 30, fake_tokens, powered=False))
    assert row.startswith("t-0  HW 8 no power █") and "100‥103" in row
    assert "cache empty: no power disk 100‥103" in text(draw_parts.replica_row(p, p.replicas[1], 70, fake_tokens,
                                                                               powered=False))


def test_consumer_offsets_keep_their_words_before_the_separators():
    """The consumer box's one-line offsets: the label stays, the separators shrink first."""
    items = [(0, 1024, 1024), (1, 4500, 1500), (2, 8000, 2000)]
    assert text(draw_group.offset_pieces(items, 40, " ")) == "t-0 1,024/1,024 t-1 4,500/1,500 +1"
    d = driver(scenario(**THREE))
    d.seek(3000)
    d.fail("power_loss")  # broker-1 goes: the other leaders take over, offsets pass a thousand records later
    d.seek(13000)
    lines = pipeline(d.frame(), 80, 17).text()
    row = next(line for line in lines if "t-1 " in line and "/" in line and "│" in line[:2])
    assert "pos/committed t-0" in row


def test_restart_names_each_stopped_member_of_a_group():
    """R with the leader as target restarts every node that is down: in a group, each stopped member by name."""
    from tutor.ui.failures import down_nodes

    d = driver(scenario(**THREE))
    d.seek(2000)  # the consumer has joined
    snap = d.snap
    g = dataclasses.replace(two(), members=(member("consumer-1", (0,)), member("consumer-2", (1,), up=False),
                                            member("consumer-3", (2,), up=False)))
    assert down_nodes(with_group(snap, g)) == ["consumer-2", "consumer-3"]
    assert down_nodes(with_group(snap, None)) == []


def test_the_palette_offers_the_group_keys():
    """The command palette lists the group keys with their help lines."""
    from tutor.ui.keys import ALL

    helps = {k.keys: k.help for k in ALL}
    assert {"m", "J", "G", "M"} <= set(helps)
    assert "max.poll.interval.ms" in helps["M"] and "joins the group" in helps["J"]


def test_rebalance_lines_are_recognised():
    """Event lines that move partitions or remove a member get the rebalance mark; others do not."""
    from tutor.ui.draw_group import rebalancing

    for line in ("group 'tutor' rebalances: consumer-3 joined", "consumer-1 commits t-0@70; revokes t-0, t-1",
                 "coordinator answers consumer-2's SyncGroup: t-1, generation 4", "consumer-2 removed: exceeded max.poll.interval.ms=300000"):
        assert rebalancing(line), line
    for line in ("broker-1 is now leader of t-0 (epoch 0, log end 0, HW 0)", "consumer joined group 'tutor'",
                 "auto.offset.reset=earliest: no committed offset for the group; position of t-0 -> 0"):
        assert not rebalancing(line), line


def test_a_wide_row_says_how_far_a_follower_is_behind():
    """A follower's wide row counts the records its log end is behind the leader's; the leader's does not."""
    p = partition(0)
    slow = dataclasses.replace(p.replicas[1], leo=7)
    p = dataclasses.replace(p, replicas=(p.replicas[0], slow))
    assert "LEO 7 HW 8 3 behind cache" in text(draw_parts.replica_row(p, slow, 70, fake_tokens))
    assert "behind" not in text(draw_parts.replica_row(p, p.replicas[0], 70, fake_tokens))
    assert draw_parts.lag(p, slow) == 3
    down = dataclasses.replace(p, replicas=(dataclasses.replace(p.replicas[0], up=False), slow))
    assert draw_parts.lag(down, slow) == 0


# --- the engine's own group ---------------------------------------------------------------------
GROUP = {**THREE, "consumer": {"instances": 2}}


def test_engine_group_drawn_as_its_snapshot_says():
    """A real group of two on three partitions: the box shows each member's assigned partitions with the
    snapshot's positions and committed offsets; the consumer box (consumer-1's) only its own partitions."""
    d = driver(scenario(**GROUP))
    d.seek(8000)
    frame = d.frame()
    g = frame.snap.group
    assert [m.name for m in g.members] == ["consumer-1", "consumer-2"] and not g.rebalancing
    lines = pipeline(frame, 120, 27).text()
    body = "\n".join(lines)
    assert f"generation {g.generation}" in body and f"coordinator {g.coordinator}" in body
    for m in g.members:
        pos, com = dict(m.positions), dict(m.committed)
        shown = " · ".join(f"t-{p} {pos[p]:,}/{com[p]:,}" for p in m.assigned)
        assert shown in body, shown
    mine = g.members[0].assigned
    table = next(line for line in lines if "  t-0  " in line)  # the consumer box's header row
    assert all(f"t-{p}" in table for p in mine) and not any(f"t-{p}" in table for p in range(3) if p not in mine)


@aio
async def test_engine_group_keys():
    """On the engine's group: m chooses consumer-2, G crashes it (the engine marks it down), M slows the
    chosen member, J starts a third member the scenario never named."""
    async with sandbox(scenario(**GROUP), size=(120, 40)) as (screen, pilot):
        await goto(screen, pilot, 8000)
        await pilot.press("m")
        await pilot.pause()
        assert screen.driver.member == "consumer-2"
        await pilot.press("G")
        await pilot.pause()
        members_now = {m.name: m for m in screen.driver.snap.group.members}
        assert not members_now["consumer-2"].up and members_now["consumer-1"].up
        await pilot.press("m", "M", "J")
        await pilot.pause()
        told = [str(n.message) for n in screen.app._notifications]
        assert any(t.startswith("consumer-1 is slow") for t in told)
        assert any(t.startswith("consumer-3 starts and joins group") for t in told)
        canvas = screen.query_one(PipelineView).text()
        assert "consumer-2 DOWN" in canvas
        assert "consumer-3" in {m.name for m in screen.driver.snap.group.members}


def test_join_key_names_the_member_the_engine_adds_to_a_lone_group_member():
    """A lone consumer in group mode is named "consumer": the join key asks for consumer-2, the name the
    engine gives a second member, and the engine starts it."""
    from tutor.scenario.loader import parse_scenario
    from tutor.sim.simulation import Simulation
    from tutor.sim.snapshot import take

    sim = Simulation(parse_scenario(
        '[topic]\npartitions = 2\n[consumer]\npartition.assignment.strategy = "range"\n'
        '[workload]\nmessages = 20\ninterval.ms = 10\n'))
    sim.run(5000)
    snap = take(sim)
    [action] = members.join(snap, None)
    members.check_known(action, set(sim.nodes), snap)  # not refused
    assert action.target == "consumer-2"
    assert sim.apply(action) == ["consumer-2 starts and joins group 'tutor'"]


def test_a_lost_record_is_a_ghost_of_its_own_partition():
    """The ghosts' index keys a broker's removals by partition: partition 0 plainly (as one partition's box
    reads them), another partition with "#p"."""
    from tutor.ui.ghosts import removals

    lost = [SimpleNamespace(first_id=first, count=2, partition=part, steps=[(5.0, "lost-power", "broker-1", None)])
            for first, part in ((0, 0), (2, 2))]
    assert [(first, area) for _, first, _, area in removals(lost)] == [(0, "broker-1/cache"), (2, "broker-1/cache#2")]


def test_records_lost_with_a_leader_are_drawn_on_their_partitions_rows():
    """broker-1 leads t-0 and t-3 and loses power at 300 ms: just after, its t-3 row shows the ghosts of the t-3
    records it took with it, and its t-0 row those of t-0 (each on its own partition's row, none on another)."""
    from pathlib import Path

    from tutor.scenario import load_scenario

    path = Path(__file__).resolve().parent.parent / "scenarios" / "partitions-power-loss-two-led-partitions.toml"
    d = driver(load_scenario(path))
    d.seek(310)
    lines = pipeline(d.frame(), 130, 36).text()
    box = [cell for line in lines for cell in re.split("[┃]", line) if re.match(r" t-\d", cell)][:6]  # broker-1
    rows = {cell.split()[0].rstrip("★"): cell for cell in box}
    assert "✗13" in rows["t-3"] and "✗13" not in rows["t-0"]
    assert "✗11" in rows["t-0"] and "✗11" not in rows["t-3"]
    assert not any("✗" in rows[t] for t in ("t-1", "t-2", "t-4", "t-5"))
