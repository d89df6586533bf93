"""The loss ledger, always on screen: sent, acked, LOST ACKED (loudest), lost, duplicated, and where."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text

from ..frame import Frame, Losses
from .base import FrameWidget


def ledger_text(lo: Losses, isr: str, hw: str, wide: bool, acks0: bool = False,
                held: frozenset[str] = frozenset()) -> Text:
    """The ledger as one line; LOST ACKED stands out whenever it is not zero. With acks=0 nothing is
    acknowledged: the producer only counts a record as sent once it is on the wire (P4). A lesson's open
    question holds back the figures it asks about (shown as "?")."""
    if held:
        return _held_text(lo, isr, hw, wide, acks0, held)
    text = Text()
    text.append("LEDGER ", style="bold reverse")
    counted = f"counted sent (acks=0, no ack) {lo.acked:,}" if acks0 else f"acked {lo.acked:,}"
    text.append(f" sent {lo.sent:,} · {counted} · ")
    loud = "bold bright_white on red" if lo.lost_acked else "bold"
    text.append(f" LOST {'THOUGH SENT' if acks0 else 'ACKED'} {lo.lost_acked:,} ", style=loud)
    text.append(f" · lost {lo.lost:,}", style="bold red" if lo.lost else "")
    if lo.lost:
        where = [f"{n:,} at the {name}" for name, n in (("producer", lo.at_producer), ("broker", lo.at_broker),
                                                        ("consumer", lo.at_consumer)) if n]
        text.append(f" ({', '.join(where)})", style="red")
    text.append(f" · dup {lo.duplicated:,}", style="bold cyan" if lo.duplicated else "")
    text.append(f" · send errors {lo.failed:,}" if wide else f" · errors {lo.failed:,}",
                style="yellow" if lo.failed else "")
    if wide:
        text.append(f"   ISR [{isr}] · HW {hw}", style="bold")
    return text


def _held_text(lo: Losses, isr: str, hw: str, wide: bool, acks0: bool, held: frozenset[str]) -> Text:
    """The ledger while a question asks about some of its figures: those read "?" until the answer is in."""
    def fig(name: str, value: int) -> str:
        """A figure, or "?" when held back."""
        return "?" if name in held else f"{value:,}"
    text = Text()
    text.append("LEDGER ", style="bold reverse")
    counted = "counted sent (acks=0, no ack)" if acks0 else "acked"
    text.append(f" sent {fig('sent', lo.sent)} · {counted} {fig('acked', lo.acked)} · ")
    text.append(f" LOST {'THOUGH SENT' if acks0 else 'ACKED'} {fig('lost', lo.lost_acked)} ", style="bold")
    text.append(f" · lost {fig('lost', lo.lost)} · dup {fig('duplicates', lo.duplicated)}")
    text.append(f" · {'send errors' if wide else 'errors'} {fig('acked', lo.failed)}")
    text.append("  (? until you answer)", style="dim italic")
    if wide:
        text.append(f"   ISR [{isr}] · HW {hw}", style="bold")
    return text


class LedgerBar(FrameWidget):
    """One line of loss figures, pushed a Frame."""

    def key(self, frame: Frame) -> tuple:
        """The figures, the ISR and the HW."""
        leader = frame.snap.broker(frame.snap.leader) if frame.snap.leader else None
        return (frame.losses, frame.snap.isr, leader.hw if leader else None, frame.config["producer"]["acks"],
                frame.held)

    def render(self) -> RenderableType:
        """The figures, shorter when narrow."""
        f = self.frame
        if f is None:
            return ""
        snap = f.snap
        isr = ",".join(n.split("-")[-1] for n in snap.isr)
        hw = f"{snap.broker(snap.leader).hw:,}" if snap.leader else "—"
        return ledger_text(f.losses, isr, hw, self.size.width >= 140, f.config["producer"]["acks"] == "0", f.held)
